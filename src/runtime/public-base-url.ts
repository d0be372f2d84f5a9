import type { Config } from '../config/load-config.ts';

/** Where customers' browsers and providers' callbacks reach recur: PUBLIC_BASE_URL, else http://HOST:PORT. */
export function publicBaseUrlOf(config: Pick<Config, 'PUBLIC_BASE_URL' | 'HOST' | 'PORT'>): string {
  if (config.PUBLIC_BASE_URL) return config.PUBLIC_BASE_URL;
  const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  return `http://${host}:${config.PORT}`;
}
