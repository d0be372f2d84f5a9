import { pino, type DestinationStream, type Logger } from 'pino';
import { serializeError, serializeRequest } from './log-serializers.ts';

export type { Logger };

// Defence in depth: recur never logs headers or bodies, but if an object carrying one of these
// ever reaches a log call, the value is replaced before it is written.
const REDACTED_PATHS = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'headers["stripe-signature"]',
  '*.headers["stripe-signature"]',
  'key',
  '*.key',
  'apiKey',
  '*.apiKey',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'password',
  '*.password',
  'DATABASE_URL',
  '*.DATABASE_URL',
];

/** Structured JSON logs on stdout (or the given stream, for tests). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'recur' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      // Errors without their statement or data, requests without their URL: see log-serializers.ts.
      serializers: { err: serializeError, req: serializeRequest },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
