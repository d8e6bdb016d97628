/**
 * `meridian show-usage`: how much the region the registry address reaches stores
 * (`GET /api/v1/usage`, the gateway's usage.controller.ts); each region answers for itself.
 * The table has a row for the region's store, then one per repository.
 */
import { type GlobalOptions, connect, print } from '../command-context';

interface UsageView {
  region: string;
  bytes: number;
  blobCount: number;
  manifestCount: number;
  quotaBytes?: number;
  repositories: Array<{
    name: string;
    sizeBytes: number;
    manifestCount: number;
    tagCount: number;
    uploadedBytes: number;
    quotaBytes?: number;
  }>;
}

export async function showUsage(globals: GlobalOptions): Promise<void> {
  const client = await connect(globals);
  const { body } = await client.request<UsageView>('/api/v1/usage');
  print(body, globals, {
    columns: [
      { header: 'Name', path: 'name' },
      { header: 'Bytes', path: 'bytes' },
      { header: 'Manifests', path: 'manifestCount' },
      { header: 'Tags', path: 'tagCount' },
      { header: 'QuotaBytes', path: 'quotaBytes' },
    ],
    rows: (result) => {
      const usage = result as UsageView;
      return [
        {
          name: `(region ${usage.region}: ${usage.blobCount} blobs)`,
          bytes: usage.bytes,
          manifestCount: usage.manifestCount,
          quotaBytes: usage.quotaBytes,
        },
        ...usage.repositories.map((repository) => ({
          ...repository,
          bytes: repository.sizeBytes,
        })),
      ];
    },
  });
}
