/**
 * `meridian cache-rule create|show|list|delete` over `/api/v1/cache-rules` (Owner or
 * Contributor): which repositories of the registry are a pull-through cache of which
 * upstream. The flags are checked here before anything is sent; the registry checks the
 * rule again (its credential set exists, its target overlaps no other rule's).
 */
import { type CacheRuleView, CacheRuleInput } from '@meridian/contracts';
import { usageError } from '../cli-error';
import { type GlobalOptions, connect, print } from '../command-context';
import type { TableColumn } from '../output/render-output';

const columns: TableColumn[] = [
  { header: 'Name', path: 'name' },
  { header: 'Source', path: 'source' },
  { header: 'Target', path: 'target' },
  { header: 'Credential set', path: 'credentialSet' },
  { header: 'Tag TTL', path: 'tagTtl' },
];

export interface CacheRuleFlags {
  source?: string;
  target?: string;
  credentialSet?: string;
  tagTtl?: string;
}

/** The rule the flags describe, or a usage error naming what is wrong. */
export function buildCacheRule(flags: CacheRuleFlags): CacheRuleInput {
  if (flags.source === undefined || flags.target === undefined)
    throw usageError('give --source <host[:port]/repository[/*]> and --target <repository[/*]>');
  const parsed = CacheRuleInput.safeParse({
    source: flags.source,
    target: flags.target,
    ...(flags.credentialSet === undefined ? {} : { credentialSet: flags.credentialSet }),
    ...(flags.tagTtl === undefined ? {} : { tagTtl: flags.tagTtl }),
  });
  if (!parsed.success)
    throw usageError(
      parsed.error.issues
        .map(
          (issue) =>
            `${issue.path.length > 0 ? `--${flagName(issue.path)}: ` : ''}${issue.message}`,
        )
        .join('; '),
    );
  return parsed.data;
}

export async function create(
  globals: GlobalOptions,
  name: string,
  flags: CacheRuleFlags,
): Promise<void> {
  const rule = buildCacheRule(flags);
  const client = await connect(globals);
  const { body } = await client.request<CacheRuleView>(path(name), { method: 'PUT', body: rule });
  print(body, globals, { columns });
}

export async function show(globals: GlobalOptions, name: string): Promise<void> {
  const client = await connect(globals);
  const { body } = await client.request<CacheRuleView>(path(name));
  print(body, globals, { columns });
}

export async function list(globals: GlobalOptions): Promise<void> {
  const client = await connect(globals);
  const { body } = await client.request<{ cacheRules: CacheRuleView[] }>('/api/v1/cache-rules');
  print(body.cacheRules, globals, { columns });
}

export async function remove(globals: GlobalOptions, name: string): Promise<void> {
  const client = await connect(globals);
  await client.request(path(name), { method: 'DELETE' });
  process.stderr.write(`cache rule ${name} deleted\n`);
}

function flagName(path: readonly PropertyKey[]): string {
  return String(path[0]).replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

function path(name: string): string {
  return `/api/v1/cache-rules/${encodeURIComponent(name)}`;
}
