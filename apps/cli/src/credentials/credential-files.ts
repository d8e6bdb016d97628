/**
 * Where `meridian login` leaves its credential, so docker, podman, skopeo and buildah use
 * it unchanged, and where every other command finds it again:
 *
 *   docker      $DOCKER_CONFIG/config.json, else ~/.docker/config.json
 *   containers  $REGISTRY_AUTH_FILE, else $XDG_RUNTIME_DIR/containers/auth.json (podman,
 *               skopeo and buildah; they also fall back to docker's file)
 *
 * Both hold `{"auths": {"<host>": {...}}}`. Login writes, as `az acr login` has docker
 * write, the refresh token as an `identitytoken` under ACR's null user name
 * 00000000-0000-0000-0000-000000000000: a client holding an identity token trades it at the
 * token endpoint with `grant_type=refresh_token` (docker and containers/image both do), so
 * the password itself is stored nowhere. Every other entry and key of these files is kept
 * as it was (update-json-file.ts writes atomically); logout removes only our host's entry.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { type JsonObject, readJsonFile, updateJsonFile } from '../files/update-json-file';

/** ACR's user name for a refresh token given as a password */
export const refreshTokenUsername = '00000000-0000-0000-0000-000000000000';

export type StoredCredential =
  | { kind: 'refresh-token'; refreshToken: string }
  | { kind: 'password'; username: string; password: string };

export interface CredentialFile {
  readonly kind: 'docker' | 'containers';
  readonly path: string;
}

export function credentialFiles(env: NodeJS.ProcessEnv = process.env): CredentialFile[] {
  const files: CredentialFile[] = [];
  const containers = env['REGISTRY_AUTH_FILE']
    ? env['REGISTRY_AUTH_FILE']
    : env['XDG_RUNTIME_DIR']
      ? join(env['XDG_RUNTIME_DIR'], 'containers', 'auth.json')
      : undefined;
  if (containers) files.push({ kind: 'containers', path: containers });
  const dockerDir = env['DOCKER_CONFIG'] || join(env['HOME'] || homedir(), '.docker');
  files.push({ kind: 'docker', path: join(dockerDir, 'config.json') });
  return files;
}

export function credentialEntry(refreshToken: string): JsonObject {
  return {
    auth: Buffer.from(`${refreshTokenUsername}:`).toString('base64'),
    identitytoken: refreshToken,
  };
}

export async function storeCredential(
  file: CredentialFile,
  host: string,
  refreshToken: string,
): Promise<void> {
  await updateJsonFile(file.path, (current) => {
    const auths = objectAt(current, 'auths');
    // an entry filed under the URL form of the same host would shadow ours in some clients
    for (const key of Object.keys(auths)) if (hostOfKey(key) === host) delete auths[key];
    auths[host] = credentialEntry(refreshToken);
    return { ...current, auths };
  });
}

/** Removes the host's entry; false when the file held none. */
export async function removeCredential(file: CredentialFile, host: string): Promise<boolean> {
  return updateJsonFile(file.path, (current) => {
    const auths = objectAt(current, 'auths');
    const keys = Object.keys(auths).filter((key) => hostOfKey(key) === host);
    if (keys.length === 0) return undefined;
    for (const key of keys) delete auths[key];
    return { ...current, auths };
  });
}

/** The first credential for the host, in the order the containers tools look. */
export async function findCredential(
  files: readonly CredentialFile[],
  host: string,
): Promise<StoredCredential | undefined> {
  for (const file of files) {
    const auths = objectAt((await readJsonFile(file.path)) ?? {}, 'auths');
    const key = Object.keys(auths).find((candidate) => hostOfKey(candidate) === host);
    if (key === undefined) continue;
    const credential = readEntry(auths[key]);
    if (credential) return credential;
  }
  return undefined;
}

function readEntry(entry: unknown): StoredCredential | undefined {
  if (entry === null || typeof entry !== 'object') return undefined;
  const { auth, identitytoken } = entry as { auth?: unknown; identitytoken?: unknown };
  if (typeof identitytoken === 'string' && identitytoken !== '') {
    return { kind: 'refresh-token', refreshToken: identitytoken };
  }
  if (typeof auth !== 'string') return undefined;
  const decoded = Buffer.from(auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  const username = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  if (password === '') return undefined;
  return username === refreshTokenUsername
    ? { kind: 'refresh-token', refreshToken: password }
    : { kind: 'password', username, password };
}

/** docker files some registries under a URL (`https://host/v1/`): the host is what counts */
function hostOfKey(key: string): string {
  return key.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
}

function objectAt(document: JsonObject, key: string): JsonObject {
  const value = document[key];
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? { ...(value as JsonObject) }
    : {};
}
