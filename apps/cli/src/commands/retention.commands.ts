/**
 * The registry's retention policy for untagged manifests, over the management API (Owner):
 *
 *   config retention show                           `GET /api/v1/settings/retention`
 *   config retention update --status --days         `PUT /api/v1/settings/retention`
 *
 * `update` sends the whole policy: what a flag leaves out is kept as the registry has it.
 */
import type { RetentionPolicy } from '@meridian/contracts';
import { usageError } from '../cli-error';
import { type GlobalOptions, connect, print } from '../command-context';

const path = '/api/v1/settings/retention';

export async function retentionShow(globals: GlobalOptions): Promise<void> {
  const client = await connect(globals);
  const { body } = await client.request<RetentionPolicy>(path);
  print(body, globals);
}

export async function retentionUpdate(
  globals: GlobalOptions,
  flags: { status?: 'enabled' | 'disabled'; days?: number },
): Promise<void> {
  if (flags.status === undefined && flags.days === undefined)
    throw usageError('nothing to update: give --status or --days');
  const client = await connect(globals);
  const current = (await client.request<RetentionPolicy>(path)).body;
  const { body } = await client.request<RetentionPolicy>(path, {
    method: 'PUT',
    body: {
      enabled: flags.status === undefined ? current.enabled : flags.status === 'enabled',
      days: flags.days ?? current.days,
    },
  });
  print(body, globals);
}
