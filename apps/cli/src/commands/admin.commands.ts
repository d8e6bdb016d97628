/**
 * The registry's administration, over the management API (Owner, except `scan show`):
 *
 *   credential show | renew       the admin account (`/api/v1/admin`), az acr credential
 *   sp …                          service principals and their roles
 *   settings show | update        anonymous pull (`/api/v1/settings`)
 *   quarantine show | set         the registry's quarantine setting
 *   scan show <image>             an image's findings, most severe first (registry:read)
 *
 * Secrets and passwords are printed once, as the registry returns them.
 */
import type {
  AdminAccountView,
  AuthSettings,
  ScanFinding,
  ScanReport,
  ServicePrincipalView,
  Severity,
} from '@meridian/contracts';
import { usageError } from '../cli-error';
import { type GlobalOptions, connect, print } from '../command-context';
import { parseImageReference } from '../parse-image-reference';
import type { AcrTagView } from './acr-views';

export async function credentialShow(globals: GlobalOptions): Promise<void> {
  const client = await connect(globals);
  const { body } = await client.request<AdminAccountView>('/api/v1/admin');
  print(body, globals, {
    columns: [
      { header: 'Username', path: 'username' },
      { header: 'Enabled', path: 'enabled' },
      { header: 'Passwords', path: 'passwords' },
    ],
  });
}

/** `--password-name password|password2`, as az names the two */
export async function credentialRenew(
  globals: GlobalOptions,
  flags: { passwordName?: string },
): Promise<void> {
  const slot = flags.passwordName === 'password2' ? 2 : 1;
  const client = await connect(globals);
  const { body } = await client.request<unknown>(`/api/v1/admin/passwords/${slot}/renew`, {
    method: 'POST',
  });
  print(body, globals);
}

const servicePrincipalTable = {
  columns: [
    { header: 'Id', path: 'id' },
    { header: 'Roles', path: 'roles' },
    { header: 'Description', path: 'description' },
    { header: 'Secret', path: 'secret' },
  ],
};

export async function spCreate(
  globals: GlobalOptions,
  flags: { id: string; roles?: string; description?: string },
): Promise<void> {
  const client = await connect(globals);
  const { body } = await client.request<ServicePrincipalView & { secret?: string }>(
    spPath(flags.id),
    {
      method: 'PUT',
      body: {
        ...(flags.roles !== undefined ? { roles: splitList(flags.roles) } : {}),
        ...(flags.description !== undefined ? { description: flags.description } : {}),
      },
    },
  );
  print(body, globals, servicePrincipalTable);
}

export async function spList(globals: GlobalOptions): Promise<void> {
  const client = await connect(globals);
  const { body } = await client.request<{ servicePrincipals: ServicePrincipalView[] }>(
    '/api/v1/service-principals',
  );
  print(body.servicePrincipals, globals, servicePrincipalTable);
}

export async function spShow(globals: GlobalOptions, flags: { id: string }): Promise<void> {
  const client = await connect(globals);
  const { body } = await client.request<ServicePrincipalView>(spPath(flags.id));
  print(body, globals, servicePrincipalTable);
}

export async function spDelete(globals: GlobalOptions, flags: { id: string }): Promise<void> {
  const client = await connect(globals);
  await client.request<unknown>(spPath(flags.id), { method: 'DELETE' });
  process.stderr.write(`Deleted service principal ${flags.id}\n`);
}

export async function spResetSecret(globals: GlobalOptions, flags: { id: string }): Promise<void> {
  const client = await connect(globals);
  const { body } = await client.request<unknown>(`${spPath(flags.id)}/reset-secret`, {
    method: 'POST',
  });
  print(body, globals, servicePrincipalTable);
}

export async function spRole(
  globals: GlobalOptions,
  change: 'add' | 'remove',
  flags: { id: string; role: string },
): Promise<void> {
  const client = await connect(globals);
  const { body } = await client.request<unknown>(
    `${spPath(flags.id)}/roles/${encodeURIComponent(flags.role)}`,
    { method: change === 'add' ? 'PUT' : 'DELETE' },
  );
  if (body !== undefined) print(body, globals, servicePrincipalTable);
  else process.stderr.write(`${change === 'add' ? 'Added' : 'Removed'} role ${flags.role}\n`);
}

export async function settingsShow(globals: GlobalOptions): Promise<void> {
  const client = await connect(globals);
  const { body } = await client.request<AuthSettings>('/api/v1/settings');
  print(body, globals);
}

export async function settingsUpdate(
  globals: GlobalOptions,
  flags: { anonymousPull?: boolean },
): Promise<void> {
  if (flags.anonymousPull === undefined)
    throw usageError('nothing to update: give --anonymous-pull');
  const client = await connect(globals);
  const { body } = await client.request<AuthSettings>('/api/v1/settings', {
    method: 'PUT',
    body: { anonymousPull: flags.anonymousPull },
  });
  print(body, globals);
}

export async function quarantineShow(globals: GlobalOptions): Promise<void> {
  const client = await connect(globals);
  const { body } = await client.request<{ enabled: boolean }>('/api/v1/settings/quarantine');
  print(body, globals);
}

export async function quarantineSet(
  globals: GlobalOptions,
  flags: { enabled: boolean },
): Promise<void> {
  const client = await connect(globals);
  const { body } = await client.request<{ enabled: boolean }>('/api/v1/settings/quarantine', {
    method: 'PUT',
    body: { enabled: flags.enabled },
  });
  print(body, globals);
}

const severityOrder: readonly Severity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'];

/** The report as JSON; on a table, one row per finding, the most severe first. */
export async function scanShow(globals: GlobalOptions, imageText: string): Promise<void> {
  const image = parseImageReference(imageText);
  const client = await connect(globals);
  const digest =
    image.digest ??
    (
      await client.request<{ tag: AcrTagView }>(
        `/acr/v1/${image.repository}/_tags/${encodeURIComponent(image.tag)}`,
        { scope: `repository:${image.repository}:metadata_read` },
      )
    ).body.tag.digest;
  const { body } = await client.request<ScanReport>(`/api/v1/scans/${image.repository}/${digest}`);
  print(body, globals, {
    columns: [
      { header: 'Severity', path: 'severity' },
      { header: 'Id', path: 'id' },
      { header: 'Aliases', path: 'aliases' },
      { header: 'Package', path: 'package.name' },
      { header: 'Version', path: 'package.version' },
      { header: 'FixedVersion', path: 'fixedVersion' },
      { header: 'Platform', path: 'platform' },
    ],
    rows: (result) => findingsBySeverity(result as ScanReport),
  });
}

export function findingsBySeverity(report: ScanReport): Array<ScanFinding & { platform?: string }> {
  return report.images
    .flatMap((scanned) =>
      scanned.findings.map((finding) => ({
        ...finding,
        ...(scanned.platform !== undefined ? { platform: scanned.platform } : {}),
      })),
    )
    .sort(
      (a, b) =>
        severityOrder.indexOf(a.severity) - severityOrder.indexOf(b.severity) ||
        a.package.name.localeCompare(b.package.name) ||
        a.id.localeCompare(b.id),
    );
}

function spPath(id: string): string {
  return `/api/v1/service-principals/${encodeURIComponent(id)}`;
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
