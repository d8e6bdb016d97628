import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError } from '../cli-error';
import { configPath, parseDefaults, readConfig, storeDefaults } from './cli-config';

describe('cli config', () => {
  let dir: string;
  let path: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'meridian-cli-config-'));
    path = join(dir, 'config.json');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('lives in ~/.meridian unless MERIDIAN_CONFIG_DIR says otherwise', () => {
    expect(configPath({ MERIDIAN_CONFIG_DIR: dir })).toBe(path);
    expect(configPath({})).toMatch(/\.meridian\/config\.json$/);
  });

  it('reads no defaults when there is no file', async () => {
    expect(await readConfig(path)).toEqual({ defaults: {} });
  });

  it('stores a default, keeps what else the file holds, and removes it with an empty value', async () => {
    await writeFile(path, JSON.stringify({ note: 'kept' }));
    expect(await storeDefaults(parseDefaults(['registry=r.example.com']), path)).toEqual({
      defaults: { registry: 'r.example.com' },
    });
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({
      note: 'kept',
      defaults: { registry: 'r.example.com' },
    });
    expect(await storeDefaults(parseDefaults(['registry=']), path)).toEqual({ defaults: {} });
  });

  it('refuses an unknown key or a pair without =', () => {
    expect(() => parseDefaults(['colour=blue'])).toThrow(/unknown default "colour"/);
    expect(() => parseDefaults(['registry'])).toThrow(CliError);
  });

  it('refuses a config file that is not JSON, and leaves it alone', async () => {
    await writeFile(path, '{ not json');
    await expect(storeDefaults({ registry: 'x' }, path)).rejects.toThrow(/not valid JSON/);
    expect(await readFile(path, 'utf8')).toBe('{ not json');
  });
});
