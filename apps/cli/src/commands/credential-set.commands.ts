/**
 * `meridian credential-set put|show|list|delete` over `/api/v1/credential-sets` (Owner or
 * Contributor). The password or token is read from stdin only, never from a flag, and the
 * registry never answers it back.
 */
import type { CredentialSetView, Credentials } from '@meridian/contracts';
import { usageError } from '../cli-error';
import { type GlobalOptions, connect, print } from '../command-context';
import type { TableColumn } from '../output/render-output';
import { readSecretFromStdin } from '../read-secret-stdin';

const columns: TableColumn[] = [
  { header: 'Name', path: 'name' },
  { header: 'Kind', path: 'kind' },
  { header: 'Username', path: 'username' },
  { header: 'Updated', path: 'updatedTime' },
];

export interface CredentialSetFlags {
  username?: string;
  passwordStdin?: boolean;
  tokenStdin?: boolean;
}

/** Which secret the flags ask for, checked before stdin is read. */
export function secretKind(flags: CredentialSetFlags): 'password' | 'token' {
  if (flags.tokenStdin && (flags.passwordStdin || flags.username !== undefined))
    throw usageError('give --token-stdin alone, or --username with --password-stdin');
  if (flags.tokenStdin) return 'token';
  if (flags.username === undefined || !flags.passwordStdin)
    throw usageError('give --username with --password-stdin, or --token-stdin');
  return 'password';
}

export async function put(
  globals: GlobalOptions,
  name: string,
  flags: CredentialSetFlags,
): Promise<void> {
  const kind = secretKind(flags);
  const secret = await readSecretFromStdin(
    kind === 'token' ? '--token-stdin' : '--password-stdin',
    `echo "$SECRET" | meridian credential-set put ${name} ...`,
  );
  const credentials: Credentials =
    kind === 'token' ? { token: secret } : { username: flags.username!, password: secret };
  const client = await connect(globals);
  const { body } = await client.request<CredentialSetView>(path(name), {
    method: 'PUT',
    body: credentials,
  });
  print(body, globals, { columns });
}

export async function show(globals: GlobalOptions, name: string): Promise<void> {
  const client = await connect(globals);
  const { body } = await client.request<CredentialSetView>(path(name));
  print(body, globals, { columns });
}

export async function list(globals: GlobalOptions): Promise<void> {
  const client = await connect(globals);
  const { body } = await client.request<{ credentialSets: CredentialSetView[] }>(
    '/api/v1/credential-sets',
  );
  print(body.credentialSets, globals, { columns });
}

export async function remove(globals: GlobalOptions, name: string): Promise<void> {
  const client = await connect(globals);
  await client.request(path(name), { method: 'DELETE' });
  process.stderr.write(`credential set ${name} deleted\n`);
}

function path(name: string): string {
  return `/api/v1/credential-sets/${encodeURIComponent(name)}`;
}
