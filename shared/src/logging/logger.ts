import pino, { type Logger, type DestinationStream } from 'pino';

export type { Logger };

/**
 * Paths redacted in every log line. Tokens, passwords and connection strings
 * (which can carry credentials) must never reach logs.
 */
export const REDACT_PATHS = [
  'password',
  '*.password',
  'token',
  '*.token',
  'leaseToken',
  '*.leaseToken',
  'apiKey',
  '*.apiKey',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'redis.url',
  'elasticsearch.url',
  'elasticsearch.password',
  'elasticsearch.apiKey',
];

export interface LoggerOptions {
  level: string;
  name: string;
  destination?: DestinationStream;
}

export function createLogger(opts: LoggerOptions): Logger {
  return pino(
    {
      name: opts.name,
      level: opts.level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { service: opts.name },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    opts.destination,
  );
}
