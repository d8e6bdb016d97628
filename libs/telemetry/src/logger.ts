/**
 * Structured logging: pino JSON, one line per event, static lowercase messages with the
 * data in fields. Every line carries the service and region, and the trace id of the span
 * it was written in (`traceId`) when tracing is on. Values of keys that name
 * secrets (`*password*`, `*secret*`, `*token*`, `*key*` …) are redacted.
 */
import pino, { type Logger } from 'pino';
import { activeTraceId } from './tracing';

export type { Logger } from 'pino';

const secretKey = /pass(word)?|secret|token|authorization|api[_-]?key|private[_-]?key|credential/i;

function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] = secretKey.test(key) ? '[redacted]' : redactSecrets(inner, depth + 1);
  }
  return out;
}

function traceIdOfActiveSpan(): Record<string, unknown> {
  const traceId = activeTraceId();
  return traceId ? { traceId } : {};
}

export interface LoggerOptions {
  service: string;
  region: string;
  level?: string;
  /** where lines go; stdout by default */
  destination?: pino.DestinationStream;
}

export function createLogger({
  service,
  region,
  level = 'info',
  destination,
}: LoggerOptions): Logger {
  return pino(
    {
      level,
      base: { service, region },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => redactSecrets(object) as Record<string, unknown>,
      },
      serializers: { err: pino.stdSerializers.err },
      mixin: traceIdOfActiveSpan,
    },
    destination ?? pino.destination({ sync: false }),
  );
}
