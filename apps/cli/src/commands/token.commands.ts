/**
 * `meridian token …` and `meridian scope-map …`, az acr's repository-scoped tokens and the
 * scope maps they are bound to, over the management API (`/api/v1/tokens`,
 * `/api/v1/scope-maps`; Owner only). A token is created without passwords; `token
 * credential generate` makes one (shown once), optionally expiring.
 */
import type { ScopeMapRule, ScopeMapView, TokenView } from '@meridian/contracts';
import { usageError } from '../cli-error';
import { type GlobalOptions, connect, print } from '../command-context';
import type { TableColumn } from '../output/render-output';

const tokenColumns: TableColumn[] = [
  { header: 'Name', path: 'name' },
  { header: 'ScopeMap', path: 'scopeMap' },
  { header: 'Status', path: 'status' },
  { header: 'CreatedAt', path: 'createdAt' },
];

const scopeMapColumns: TableColumn[] = [
  { header: 'Name', path: 'name' },
  { header: 'Rules', path: 'summary' },
  { header: 'UpdatedAt', path: 'updatedAt' },
];

export async function tokenCreate(
  globals: GlobalOptions,
  flags: { name: string; scopeMap: string; status?: string },
): Promise<void> {
  const client = await connect(globals);
  const { body } = await client.request<TokenView>(tokenPath(flags.name), {
    method: 'PUT',
    body: { scopeMap: flags.scopeMap, ...(flags.status ? { status: flags.status } : {}) },
  });
  print(body, globals, { columns: tokenColumns });
}

export async function tokenUpdate(
  globals: GlobalOptions,
  flags: { name: string; scopeMap?: string; status?: string },
): Promise<void> {
  if (flags.scopeMap === undefined && flags.status === undefined) {
    throw usageError('nothing to update: give --scope-map or --status');
  }
  const client = await connect(globals);
  const { body } = await client.request<TokenView>(tokenPath(flags.name), {
    method: 'PATCH',
    body: {
      ...(flags.scopeMap ? { scopeMap: flags.scopeMap } : {}),
      ...(flags.status ? { status: flags.status } : {}),
    },
  });
  print(body, globals, { columns: tokenColumns });
}

export async function tokenList(globals: GlobalOptions): Promise<void> {
  const client = await connect(globals);
  const { body } = await client.request<{ tokens: TokenView[] }>('/api/v1/tokens');
  print(body.tokens, globals, { columns: tokenColumns });
}

export async function tokenShow(globals: GlobalOptions, flags: { name: string }): Promise<void> {
  const client = await connect(globals);
  const { body } = await client.request<TokenView>(tokenPath(flags.name));
  print(body, globals, { columns: tokenColumns });
}

export async function tokenDelete(globals: GlobalOptions, flags: { name: string }): Promise<void> {
  const client = await connect(globals);
  await client.request<unknown>(tokenPath(flags.name), { method: 'DELETE' });
  process.stderr.write(`Deleted token ${flags.name}\n`);
}

/** `--password1` or `--password2` (the first when neither), `--expiration` an ISO 8601 time */
export async function tokenCredentialGenerate(
  globals: GlobalOptions,
  flags: { name: string; password1?: boolean; password2?: boolean; expiration?: string },
): Promise<void> {
  if (flags.password1 && flags.password2) throw usageError('give --password1 or --password2');
  if (flags.expiration !== undefined && Number.isNaN(Date.parse(flags.expiration))) {
    throw usageError(`--expiration "${flags.expiration}" is not an ISO 8601 time`);
  }
  const slot = flags.password2 ? 2 : 1;
  const client = await connect(globals);
  const { body } = await client.request<unknown>(
    `${tokenPath(flags.name)}/passwords/${slot}/generate`,
    {
      method: 'POST',
      body: flags.expiration ? { expiresAt: new Date(flags.expiration).toISOString() } : {},
    },
  );
  print(body, globals);
}

export async function scopeMapCreate(
  globals: GlobalOptions,
  flags: { name: string; repository: string[]; description?: string },
): Promise<void> {
  const client = await connect(globals);
  const { body } = await client.request<ScopeMapView>(scopeMapPath(flags.name), {
    method: 'PUT',
    body: {
      rules: flags.repository.map(parseRule),
      ...(flags.description !== undefined ? { description: flags.description } : {}),
    },
  });
  print(body, globals, scopeMapTable);
}

/** Adds (or replaces) and removes rules by repository pattern; the other rules stay. */
export async function scopeMapUpdate(
  globals: GlobalOptions,
  flags: {
    name: string;
    addRepository?: string[];
    removeRepository?: string[];
    description?: string;
  },
): Promise<void> {
  const added = (flags.addRepository ?? []).map(parseRule);
  const removed = new Set([
    ...(flags.removeRepository ?? []),
    ...added.map((rule) => rule.repository),
  ]);
  if (added.length === 0 && removed.size === 0 && flags.description === undefined) {
    throw usageError(
      'nothing to update: give --add-repository, --remove-repository or --description',
    );
  }
  const client = await connect(globals);
  const { body: current } = await client.request<ScopeMapView>(scopeMapPath(flags.name));
  const rules = [...current.rules.filter((rule) => !removed.has(rule.repository)), ...added];
  const description = flags.description ?? current.description;
  const { body } = await client.request<ScopeMapView>(scopeMapPath(flags.name), {
    method: 'PUT',
    body: { rules, ...(description !== undefined ? { description } : {}) },
  });
  print(body, globals, scopeMapTable);
}

export async function scopeMapList(globals: GlobalOptions): Promise<void> {
  const client = await connect(globals);
  const { body } = await client.request<{ scopeMaps: ScopeMapView[] }>('/api/v1/scope-maps');
  print(body.scopeMaps, globals, scopeMapTable);
}

export async function scopeMapShow(globals: GlobalOptions, flags: { name: string }): Promise<void> {
  const client = await connect(globals);
  const { body } = await client.request<ScopeMapView>(scopeMapPath(flags.name));
  print(body, globals, scopeMapTable);
}

export async function scopeMapDelete(
  globals: GlobalOptions,
  flags: { name: string },
): Promise<void> {
  const client = await connect(globals);
  await client.request<unknown>(scopeMapPath(flags.name), { method: 'DELETE' });
  process.stderr.write(`Deleted scope map ${flags.name}\n`);
}

const scopeMapTable = {
  columns: scopeMapColumns,
  rows: (result: unknown) =>
    (Array.isArray(result) ? result : [result]).map((scopeMap: ScopeMapView) => ({
      ...scopeMap,
      summary: scopeMap.rules
        .map((rule) => `${rule.repository}=${rule.actions.join(',')}`)
        .join(' '),
    })),
};

/** `team-a/*=content/read,metadata/read` */
export function parseRule(text: string): ScopeMapRule {
  const equals = text.lastIndexOf('=');
  const actions =
    equals > 0
      ? text
          .slice(equals + 1)
          .split(',')
          .filter((action) => action !== '')
      : [];
  if (equals <= 0 || actions.length === 0) {
    throw usageError(
      `--repository takes pattern=action[,action…], e.g. "team-a/*=content/read", not "${text}"`,
    );
  }
  return { repository: text.slice(0, equals), actions: actions as ScopeMapRule['actions'] };
}

function tokenPath(name: string): string {
  return `/api/v1/tokens/${encodeURIComponent(name)}`;
}

function scopeMapPath(name: string): string {
  return `/api/v1/scope-maps/${encodeURIComponent(name)}`;
}
