/**
 * The report of an image scanned in another region. Each region's scan service scans only its
 * own pushes; the report travels to the others as the report referrer attached to the image
 * (artifact type `scanReportArtifactType`), replicated like any push. Here it is read back:
 * the referrers of the image, the report artifact's manifest, its one layer from this
 * region's store. Undefined when no report referrer has arrived.
 */
import { Inject, Injectable } from '@nestjs/common';
import { ScanReport, manifestRpc, scanReportArtifactType } from '@meridian/contracts';
import { RpcClient, type RpcContext } from '@meridian/messaging';
import { type StorageDriver, blobKey, storageDriverToken } from '@meridian/storage';

const maxReportBytes = 16 * 1024 * 1024;

@Injectable()
export class ReplicatedScanReports {
  constructor(
    private readonly rpc: RpcClient,
    @Inject(storageDriverToken) private readonly store: StorageDriver,
  ) {}

  /** The newest report referrer of the image, if any. */
  async find(
    image: { repository: string; digest: string },
    options: { context: RpcContext },
  ): Promise<ScanReport | undefined> {
    const { manifests } = await this.rpc.request(
      manifestRpc.referrers,
      { ...image, artifactType: scanReportArtifactType },
      options,
    );
    const reports: ScanReport[] = [];
    for (const descriptor of manifests) {
      const report = await this.read(image.repository, descriptor.digest, options);
      if (report) reports.push(report);
    }
    return reports.sort((a, b) => a.matchedAt.localeCompare(b.matchedAt)).at(-1);
  }

  private async read(
    repository: string,
    digest: string,
    options: { context: RpcContext },
  ): Promise<ScanReport | undefined> {
    const artifact = await this.rpc.request(
      manifestRpc.get,
      { repository, reference: digest, includeBody: true },
      options,
    );
    const body = JSON.parse(Buffer.from(artifact.body ?? '', 'base64').toString('utf8')) as {
      layers?: { digest?: string; size?: number }[];
    };
    const layer = body.layers?.[0];
    if (!layer?.digest || (layer.size ?? 0) > maxReportBytes) return undefined;
    const key = blobKey(layer.digest);
    if ((await this.store.stat(key)) === undefined) return undefined;
    const chunks: Buffer[] = [];
    for await (const chunk of await this.store.read(key)) chunks.push(Buffer.from(chunk as Buffer));
    const parsed = ScanReport.safeParse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  }
}
