/**
 * Writes the containers-auth.json that `skopeo login` / `podman login` would, so every
 * skopeo, podman and buildah command of a test is logged in (REGISTRY_AUTH_FILE) without
 * each one naming credentials.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RegistryCredentials } from './registry-under-test';

export async function writeRegistryAuthFile(
  dir: string,
  host: string,
  credentials: RegistryCredentials,
): Promise<string> {
  const path = join(dir, 'containers-auth.json');
  const auth = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
  await writeFile(path, JSON.stringify({ auths: { [host]: { auth } } }), { mode: 0o600 });
  return path;
}
