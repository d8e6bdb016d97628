/**
 * Schemas of the environment variables every Meridian process reads the same way, with what
 * each expects in words, for the message that names a bad key. Region ids are a contract
 * (`RegionId` in libs/contracts); only their wording lives here.
 */
import { z } from 'zod';

/** Most severe first; `silent` turns logging off. */
export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const LogLevel = z.enum(logLevels);
export type LogLevel = z.infer<typeof LogLevel>;

export const PostgresUrl = z
  .string()
  .refine((value) => URL.canParse(value) && /^postgres(ql)?:$/.test(new URL(value).protocol));

/** A comma-separated list, each entry trimmed, empty entries dropped (`a, b,,c` → a, b, c). */
export const CommaList = z.string().transform((list) =>
  list
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== ''),
);

/** One NATS server URL, or several separated by commas (a cluster's seeds). */
export const NatsUrls = z
  .string()
  .transform((value) => value.split(',').map((url) => url.trim()))
  .pipe(
    z.array(
      z
        .string()
        .refine((url) => URL.canParse(url) && /^(nats|tls|ws|wss):$/.test(new URL(url).protocol)),
    ),
  );

export const envExpectations = {
  regionId: 'a region id (lowercase letters, digits, dashes), e.g. us-east',
  logLevel: `one of ${logLevels.join(', ')}`,
  postgresUrl: 'a postgres:// or postgresql:// URL',
  natsUrls: 'a nats:// URL, or several separated by commas',
} as const;
