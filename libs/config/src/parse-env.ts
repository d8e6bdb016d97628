/**
 * Reads a process's environment once at boot. A bad value stops the process with one
 * message naming every bad key and what it expects, never the value: DATABASE_URL and the
 * S3 secret hold credentials, and boot messages end up in shared logs.
 */
import type { z } from 'zod';

export interface ConfigProblem {
  key: string;
  expected: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      `invalid configuration:\n${problems.map(({ key, expected }) => `  ${key}: expected ${expected}`).join('\n')}`,
    );
  }

  /** the bad keys, in the schema's order */
  get keys(): string[] {
    return this.problems.map(({ key }) => key);
  }
}

/** What each variable of `Schema` expects, in words a person setting it understands. */
export type EnvExpectations<Schema extends z.ZodObject> = Record<
  Extract<keyof z.input<Schema>, string>,
  string
>;

/**
 * Parses `env` with `schema`; throws ConfigError naming every bad key. A refinement across
 * keys must give its issue a path naming the key to blame.
 */
export function parseEnv<Schema extends z.ZodObject>(
  schema: Schema,
  expectations: EnvExpectations<Schema>,
  env: Readonly<Record<string, string | undefined>>,
): z.output<Schema> {
  // an empty variable means "not set", as in most shells' `VAR= command`
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = schema.safeParse(present);
  if (parsed.success) return parsed.data;
  const keys = new Set(parsed.error.issues.map((issue) => String(issue.path[0] ?? 'environment')));
  const expected: Record<string, string> = expectations;
  throw new ConfigError(
    [...keys].map((key) => ({ key, expected: expected[key] ?? 'a valid value' })),
  );
}
