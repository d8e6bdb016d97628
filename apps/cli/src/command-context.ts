/**
 * What every command is given: the global options (`--registry`, `--output`, `--query`)
 * and the ways to act on them: which registry, a client logged in to it, printing a
 * result. Loaded only once a command runs (program.ts keeps `--help` light).
 */
import { usageError } from './cli-error';
import { readConfig } from './config/cli-config';
import { credentialFiles, findCredential } from './credentials/credential-files';
import { type RegistryAddress, parseRegistryAddress } from './http/registry-address';
import { RegistryClient } from './http/registry-client';
import {
  type OutputFormat,
  type RenderOptions,
  defaultFormat,
  renderOutput,
  useColor,
} from './output/render-output';

export interface GlobalOptions {
  registry?: string;
  output?: OutputFormat;
  query?: string;
}

export async function resolveRegistry(
  globals: GlobalOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RegistryAddress> {
  const named =
    globals.registry || env['MERIDIAN_REGISTRY'] || (await readConfig()).defaults.registry;
  if (!named) {
    throw usageError(
      'no registry: pass --registry, set MERIDIAN_REGISTRY, or run `meridian configure --defaults registry=<host>`',
    );
  }
  return parseRegistryAddress(named);
}

/**
 * A client for the registry, with the credential `meridian login` (or docker/podman login)
 * stored for it; MERIDIAN_USERNAME and MERIDIAN_PASSWORD, when both are set, take its place
 * (a CI job that keeps no files).
 */
export async function connect(
  globals: GlobalOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RegistryClient> {
  const registry = await resolveRegistry(globals, env);
  const username = env['MERIDIAN_USERNAME'];
  const password = env['MERIDIAN_PASSWORD'];
  const credential =
    username && password
      ? { kind: 'password' as const, username, password }
      : await findCredential(credentialFiles(env), registry.host);
  return new RegistryClient(registry, credential);
}

export function print(
  result: unknown,
  globals: GlobalOptions,
  table?: RenderOptions['table'],
): void {
  const format = globals.output ?? defaultFormat(process.stdout);
  process.stdout.write(
    renderOutput(result, {
      format,
      ...(globals.query !== undefined ? { query: globals.query } : {}),
      ...(table ? { table } : {}),
      color: useColor(process.stdout),
    }),
  );
}
