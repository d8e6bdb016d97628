/**
 * Soft delete over the management API:
 *
 *   config soft-delete show                                  `GET /api/v1/settings/soft-delete` (Owner)
 *   config soft-delete update --enabled|--disabled --retention-days N
 *                                                            `PUT /api/v1/settings/soft-delete` (Owner)
 *   deleted list --repository R                              `GET /api/v1/deleted?repository=R`
 *   deleted restore R@sha256:…                               `POST /api/v1/deleted/R/sha256:…/restore`
 *
 * `update` sends the whole setting: what a flag leaves out is kept as the registry has it.
 * `list` reads every page (`more`, `last`) up to `--top`.
 */
import type { DeletedManifest, SoftDeletePolicy } from '@meridian/contracts';
import { usageError } from '../cli-error';
import { type GlobalOptions, connect, print } from '../command-context';
import { checkedRepository, parseImageReference } from '../parse-image-reference';

const settingPath = '/api/v1/settings/soft-delete';
const pageSize = 100;

export async function softDeleteShow(globals: GlobalOptions): Promise<void> {
  const client = await connect(globals);
  const { body } = await client.request<SoftDeletePolicy>(settingPath);
  print(body, globals);
}

export async function softDeleteUpdate(
  globals: GlobalOptions,
  flags: { enabled?: boolean; disabled?: boolean; retentionDays?: number },
): Promise<void> {
  if (flags.enabled && flags.disabled) throw usageError('give --enabled or --disabled, not both');
  const enabled = flags.enabled ? true : flags.disabled ? false : undefined;
  if (enabled === undefined && flags.retentionDays === undefined)
    throw usageError('nothing to update: give --enabled, --disabled or --retention-days');
  const client = await connect(globals);
  const current = (await client.request<SoftDeletePolicy>(settingPath)).body;
  const { body } = await client.request<SoftDeletePolicy>(settingPath, {
    method: 'PUT',
    body: {
      enabled: enabled ?? current.enabled,
      retentionDays: flags.retentionDays ?? current.retentionDays,
    },
  });
  print(body, globals);
}

interface DeletedPage {
  repository: string;
  manifests: DeletedManifest[];
  more: boolean;
}

const deletedTable = {
  columns: [
    { header: 'Digest', path: 'digest' },
    { header: 'Tags', path: 'tags' },
    { header: 'Deleted', path: 'deletedAt' },
    { header: 'Expires', path: 'expiresAt' },
  ],
};

export async function deletedList(
  globals: GlobalOptions,
  flags: { repository: string; top?: number },
): Promise<void> {
  const repository = checkedRepository(flags.repository);
  const client = await connect(globals);
  const manifests: DeletedManifest[] = [];
  let last: string | undefined;
  for (;;) {
    const want =
      flags.top === undefined ? pageSize : Math.min(pageSize, flags.top - manifests.length);
    if (want <= 0) break;
    const { body } = await client.request<DeletedPage>('/api/v1/deleted', {
      query: { repository, n: want, last },
    });
    manifests.push(...body.manifests);
    last = body.manifests.at(-1)?.digest;
    if (!body.more || last === undefined) break;
  }
  print(manifests, globals, deletedTable);
}

export async function deletedRestore(globals: GlobalOptions, image: string): Promise<void> {
  const reference = parseImageReference(image);
  if (reference.digest === undefined) {
    throw usageError(`"${image}": name the deleted manifest by digest, repository@sha256:…`);
  }
  const client = await connect(globals);
  const { body } = await client.request<unknown>(
    `/api/v1/deleted/${reference.repository}/${reference.digest}/restore`,
    { method: 'POST' },
  );
  print(body, globals);
}
