/**
 * The keys `npm start` seals secrets at rest with: MERIDIAN_SIGNING_KEY_SECRET (the auth
 * service's private signing keys), MERIDIAN_WEBHOOK_SECRET_KEY (webhook signing secrets) and
 * MERIDIAN_CREDENTIALS_SECRET_KEY (the credential sets imports log in to upstreams with); and
 * the key the gateways sign the `_state` of upload sessions with (MERIDIAN_UPLOAD_STATE_KEY).
 * The environment's value when set; otherwise one generated on the first start and kept in
 * `<data dir>/<file>` (readable by its owner only), so a restart opens what the last run
 * sealed. Every region gets the same keys: webhook secrets travel sealed between regions.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const serviceSecretFiles = {
  MERIDIAN_SIGNING_KEY_SECRET: 'signing-key-secret',
  MERIDIAN_WEBHOOK_SECRET_KEY: 'webhook-secret-key',
  MERIDIAN_CREDENTIALS_SECRET_KEY: 'credentials-secret-key',
  MERIDIAN_UPLOAD_STATE_KEY: 'upload-state-key',
} as const;

export type ServiceSecretEnv = Record<keyof typeof serviceSecretFiles, string>;

/** Each key's value: from `env`, else kept in the data directory (generated when missing). */
export async function resolveServiceSecrets(
  dataDir: string,
  env: NodeJS.ProcessEnv,
): Promise<ServiceSecretEnv> {
  const resolved: Partial<ServiceSecretEnv> = {};
  for (const [key, name] of Object.entries(serviceSecretFiles) as Array<
    [keyof typeof serviceSecretFiles, string]
  >) {
    resolved[key] = env[key] || (await keptSecret(join(dataDir, name)));
  }
  return resolved as ServiceSecretEnv;
}

async function keptSecret(file: string): Promise<string> {
  const stored = await readFile(file, 'utf8').then(
    (text) => text.trim(),
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    },
  );
  if (stored) return stored;
  const secret = randomBytes(32).toString('base64url');
  await writeFile(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  return secret;
}
