import pino from 'pino';

export type Logger = pino.Logger;

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'btv-grpc' },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Belt and braces: no field that could hold a credential is ever written.
    redact: {
      paths: ['authorization', '*.authorization', 'token', '*.token', 'secret', '*.secret'],
      censor: '[redacted]',
    },
  });
}
