/**
 * The CLI's own settings, `~/.meridian/config.json` (the folder is MERIDIAN_CONFIG_DIR when
 * set): defaults that `meridian configure --defaults key=value` stores, as `az configure
 * --defaults` does. Only `registry` is known today; an unknown key is refused, not stored.
 *
 * Where a command's registry comes from, first found wins: `--registry`, MERIDIAN_REGISTRY,
 * the stored default.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { usageError } from '../cli-error';
import { readJsonFile, updateJsonFile } from '../files/update-json-file';

export const configurableDefaults = ['registry'] as const;
export type ConfigurableDefault = (typeof configurableDefaults)[number];

export interface CliConfig {
  defaults: Partial<Record<ConfigurableDefault, string>>;
}

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env['MERIDIAN_CONFIG_DIR'] || join(homedir(), '.meridian'), 'config.json');
}

export async function readConfig(path = configPath()): Promise<CliConfig> {
  const stored = await readJsonFile(path);
  const defaults = stored?.['defaults'];
  return {
    defaults:
      defaults && typeof defaults === 'object' && !Array.isArray(defaults)
        ? (Object.fromEntries(
            Object.entries(defaults).filter(
              ([key, value]) =>
                (configurableDefaults as readonly string[]).includes(key) &&
                typeof value === 'string',
            ),
          ) as CliConfig['defaults'])
        : {},
  };
}

/** `key=value` pairs; an empty value removes the default. */
export function parseDefaults(
  pairs: readonly string[],
): Partial<Record<ConfigurableDefault, string>> {
  const defaults: Partial<Record<ConfigurableDefault, string>> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals <= 0) throw usageError(`--defaults takes key=value, not "${pair}"`);
    const key = pair.slice(0, equals);
    if (!(configurableDefaults as readonly string[]).includes(key)) {
      throw usageError(`unknown default "${key}"; known: ${configurableDefaults.join(', ')}`);
    }
    defaults[key as ConfigurableDefault] = pair.slice(equals + 1);
  }
  return defaults;
}

export async function storeDefaults(
  defaults: Partial<Record<ConfigurableDefault, string>>,
  path = configPath(),
): Promise<CliConfig> {
  await updateJsonFile(path, (current) => {
    const stored = { ...((current['defaults'] as Record<string, unknown> | undefined) ?? {}) };
    for (const [key, value] of Object.entries(defaults)) {
      if (value === '') delete stored[key];
      else stored[key] = value;
    }
    return { ...current, defaults: stored };
  });
  return readConfig(path);
}
