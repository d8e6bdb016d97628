/**
 * `meridian configure [--defaults key=value ...]`: stores defaults in ~/.meridian/config.json
 * (cli-config.ts) and prints what is configured.
 */
import { type GlobalOptions, print } from '../command-context';
import { configPath, parseDefaults, readConfig, storeDefaults } from '../config/cli-config';

export async function configure(
  globals: GlobalOptions,
  options: { defaults?: string[] },
): Promise<void> {
  const path = configPath();
  const config =
    options.defaults && options.defaults.length > 0
      ? await storeDefaults(parseDefaults(options.defaults), path)
      : await readConfig(path);
  print({ path, defaults: config.defaults }, globals, {
    columns: [
      { header: 'Name', path: 'name' },
      { header: 'Value', path: 'value' },
    ],
    rows: (result) =>
      Object.entries((result as { defaults: Record<string, string> }).defaults).map(
        ([name, value]) => ({ name, value }),
      ),
  });
}
