/**
 * The admin account's password for `npm start`: auth is on, so there must be a way in.
 * MERIDIAN_ADMIN_PASSWORD when set; otherwise a password generated on the first start and
 * kept in `<data dir>/admin-password` (readable by its owner only), so a restart keeps the
 * logins that worked. The launcher hands it to the auth service, which enables the account
 * `admin` with it, and prints the login command when it did not come from the environment.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface AdminPassword {
  password: string;
  /** where it came from: the environment, or the file under the data directory */
  source: 'environment' | 'file';
  file: string;
}

export const adminPasswordEnv = 'MERIDIAN_ADMIN_PASSWORD';

export async function resolveAdminPassword(
  dataDir: string,
  env: NodeJS.ProcessEnv,
): Promise<AdminPassword> {
  const file = join(dataDir, 'admin-password');
  const fromEnv = env[adminPasswordEnv];
  if (fromEnv) return { password: fromEnv, source: 'environment', file };
  const stored = await readFile(file, 'utf8').then(
    (text) => text.trim(),
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    },
  );
  if (stored) return { password: stored, source: 'file', file };
  const password = randomBytes(18).toString('base64url');
  await writeFile(file, `${password}\n`, { mode: 0o600, flag: 'wx' });
  return { password, source: 'file', file };
}

/** The command that logs a client in to the registry at `gatewayUrl`. */
export function loginCommand(gatewayUrl: string, password: string): string {
  return `skopeo login --tls-verify=false -u admin -p ${password} ${new URL(gatewayUrl).host}`;
}
