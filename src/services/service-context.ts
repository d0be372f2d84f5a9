import type { Config } from '../config/load-config.ts';
import type { Database } from '../db/database.ts';
import type { Clock } from '../shared/clock.ts';

/** What every service needs, built once at start-up and passed down. */
export type ServiceContext = {
  db: Database;
  clock: Clock;
  config: Pick<Config, 'catalogue' | 'PAST_DUE_GRACE_DAYS' | 'DEFAULT_LOCALE'>;
};

/** Who is acting, for the audit log: `api_key:{id}`, `cli`, `webhook:{provider}:{event}`. */
export type Actor = string;
