/**
 * `meridian show-usage [--all-regions]`: how much the region the registry address reaches
 * stores (`GET /api/v1/usage`, the gateway's usage.controller.ts), or every region of the
 * registry (`GET /api/v1/usage/regions`: the gateway asks each peer across the NATS link; a
 * region that does not answer in time is listed as unavailable). The table has a row for
 * each region's store, then one per repository of that region.
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

type RegionUsageView =
  ({ available: true } & UsageView) | { region: string; available: false; error: string };

export async function showUsage(
  globals: GlobalOptions,
  options: { allRegions?: boolean } = {},
): Promise<void> {
  const client = await connect(globals);
  if (options.allRegions) {
    const { body } = await client.request<{ regions: RegionUsageView[] }>('/api/v1/usage/regions');
    print(body, globals, {
      columns: [{ header: 'Region', path: 'region' }, ...columns],
      rows: (result) =>
        (result as { regions: RegionUsageView[] }).regions.flatMap((usage) =>
          usage.available
            ? rowsOf(usage).map((row) => ({ ...row, region: usage.region }))
            : [{ region: usage.region, name: `(unavailable: ${usage.error})` }],
        ),
    });
    return;
  }
  const { body } = await client.request<UsageView>('/api/v1/usage');
  print(body, globals, { columns, rows: (result) => rowsOf(result as UsageView) });
}

const columns = [
  { header: 'Name', path: 'name' },
  { header: 'Bytes', path: 'bytes' },
  { header: 'Manifests', path: 'manifestCount' },
  { header: 'Tags', path: 'tagCount' },
  { header: 'QuotaBytes', path: 'quotaBytes' },
];

function rowsOf(usage: UsageView): Array<Record<string, unknown>> {
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
}
