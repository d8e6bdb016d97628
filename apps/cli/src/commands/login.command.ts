/**
 * `meridian login <registry>` and `meridian logout [registry]`, as `az acr login`: the
 * password is traded once for a refresh token, which is filed where docker, podman, skopeo
 * and buildah read credentials (credential-files.ts), so they pull and push with it
 * unchanged and every other `meridian` command trades it for scoped access tokens. With
 * `--expose-token` nothing is written: the token is printed for a pipeline to use.
 */
import { CliError, usageError } from '../cli-error';
import { type GlobalOptions, print, resolveRegistry } from '../command-context';
import {
  credentialFiles,
  refreshTokenUsername,
  removeCredential,
  storeCredential,
} from '../credentials/credential-files';
import { parseRegistryAddress } from '../http/registry-address';
import { RegistryClient } from '../http/registry-client';
import { readSecretFromStdin } from '../read-secret-stdin';

export interface LoginOptions {
  username?: string;
  password?: string;
  passwordStdin?: boolean;
  exposeToken?: boolean;
}

export async function login(
  globals: GlobalOptions,
  registryArgument: string | undefined,
  options: LoginOptions,
): Promise<void> {
  const registry = registryArgument
    ? parseRegistryAddress(registryArgument)
    : await resolveRegistry(globals);
  const username = options.username ?? process.env['MERIDIAN_USERNAME'];
  if (!username) throw usageError('a user name is required: -u <user> (or MERIDIAN_USERNAME)');
  if (options.password !== undefined && options.passwordStdin) {
    throw usageError('give the password with -p or --password-stdin, not both');
  }
  const password = options.passwordStdin
    ? await readSecretFromStdin('--password-stdin', 'echo "$PASSWORD" | meridian login ...')
    : (options.password ?? process.env['MERIDIAN_PASSWORD']);
  if (!password) {
    throw usageError(
      'a password is required: --password-stdin, -p <password> or MERIDIAN_PASSWORD',
    );
  }

  const refreshToken = await new RegistryClient(registry, undefined).login(username, password);
  if (refreshToken === undefined) {
    throw new CliError('UNSUPPORTED', `${registry.host} has authentication off: no login needed`);
  }
  if (options.exposeToken) {
    print({ loginServer: registry.host, username: refreshTokenUsername, refreshToken }, globals);
    return;
  }
  const files = credentialFiles();
  for (const file of files) await storeCredential(file, registry.host, refreshToken);
  process.stderr.write(
    `Login Succeeded: ${registry.host} (${files.map((file) => file.path).join(', ')})\n`,
  );
}

export async function logout(
  globals: GlobalOptions,
  registryArgument: string | undefined,
): Promise<void> {
  const registry = registryArgument
    ? parseRegistryAddress(registryArgument)
    : await resolveRegistry(globals);
  const removed: string[] = [];
  for (const file of credentialFiles()) {
    if (await removeCredential(file, registry.host)) removed.push(file.path);
  }
  process.stderr.write(
    removed.length > 0
      ? `Removed the credential of ${registry.host} from ${removed.join(', ')}\n`
      : `Not logged in to ${registry.host}\n`,
  );
}
