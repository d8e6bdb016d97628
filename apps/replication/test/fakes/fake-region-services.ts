/**
 * The manifest, blob and auth services of every region as maps, answering what replication
 * asks of them: applies and links are recorded (and idempotent), and each region's
 * manifests and blobs can be looked up (or say they were deleted there). `failNext` makes the next calls of one kind fail.
 */
import {
  type ApplyOutcome,
  type AuthChanged,
  type BlobInfo,
  type ManifestInfo,
  RegistryError,
  type WebhookChanged,
  deletedHereDetail,
} from '@meridian/contracts';
import {
  type ManifestApply,
  type ManifestWithBody,
  RegionServices,
} from '../../src/replication/region-services';

type Call = 'apply' | 'link' | 'auth';

export class FakeRegionServices extends RegionServices {
  readonly applied: ManifestApply[] = [];
  readonly linked = new Set<string>();
  /** manifests stored by digest in this region (`putManifest`) */
  readonly put: { repository: string; digest: string; mediaType: string; body: string }[] = [];
  readonly authApplied: AuthChanged[] = [];
  readonly webhooksApplied: WebhookChanged[] = [];
  /** region → repository → reference (tag or digest) → manifest */
  readonly manifests = new Map<string, Map<string, Map<string, ManifestWithBody>>>();
  /** region → `repository@digest` → size */
  readonly blobs = new Map<string, Map<string, number>>();
  /** region → `repository@reference` this region deleted itself (tombstoned misses) */
  readonly deleted = new Map<string, Set<string>>();
  applyOutcome: ApplyOutcome = 'applied';
  private readonly failures = new Map<Call, RegistryError[]>();

  failNext(call: Call, error: RegistryError, times = 1): void {
    this.failures.set(
      call,
      Array.from({ length: times }, () => error),
    );
  }

  addManifest(region: string, repository: string, manifest: ManifestWithBody, tag?: string) {
    const repositories = this.manifests.get(region) ?? new Map();
    const references = repositories.get(repository) ?? new Map<string, ManifestWithBody>();
    references.set(manifest.digest, manifest);
    if (tag) references.set(tag, manifest);
    repositories.set(repository, references);
    this.manifests.set(region, repositories);
  }

  addBlob(region: string, repository: string, blob: BlobInfo): void {
    const known = this.blobs.get(region) ?? new Map<string, number>();
    known.set(`${repository}@${blob.digest}`, blob.size);
    this.blobs.set(region, known);
  }

  /** A manifest (by digest or tag) or blob `region` deleted: its miss says "deleted here". */
  deleteIn(region: string, repository: string, reference: string): void {
    const deleted = this.deleted.get(region) ?? new Set<string>();
    deleted.add(`${repository}@${reference}`);
    this.deleted.set(region, deleted);
  }

  async applyManifestEvent(request: ManifestApply): Promise<ApplyOutcome> {
    this.throwIfFailing('apply');
    this.applied.push(request);
    return this.applyOutcome;
  }

  async putManifest(
    repository: string,
    digest: string,
    mediaType: string,
    body: string,
  ): Promise<ManifestInfo> {
    this.put.push({ repository, digest, mediaType, body });
    const size = Buffer.from(body, 'base64').byteLength;
    return { digest, mediaType, size };
  }

  async linkBlob(repository: string, digest: string, size: number): Promise<BlobInfo> {
    this.throwIfFailing('link');
    this.linked.add(`${repository}@${digest}`);
    return { digest, size };
  }

  async applyAuthChange(event: AuthChanged): Promise<void> {
    this.throwIfFailing('auth');
    this.authApplied.push(event);
  }

  async applyWebhookChange(event: WebhookChanged): Promise<void> {
    this.throwIfFailing('auth');
    this.webhooksApplied.push(event);
  }

  async getManifest(
    region: string,
    repository: string,
    reference: string,
    includeBody: boolean,
  ): Promise<ManifestWithBody> {
    if (this.deleted.get(region)?.has(`${repository}@${reference}`))
      throw new RegistryError('MANIFEST_UNKNOWN', 'manifest unknown', deletedHereDetail);
    const references = this.manifests.get(region)?.get(repository);
    if (!references) throw new RegistryError('NAME_UNKNOWN', 'repository name not known');
    const manifest = references.get(reference);
    if (!manifest) throw new RegistryError('MANIFEST_UNKNOWN', 'manifest unknown');
    if (includeBody) return manifest;
    const { body: _body, ...info } = manifest;
    return info;
  }

  async statBlob(region: string, repository: string, digest: string): Promise<BlobInfo> {
    if (this.deleted.get(region)?.has(`${repository}@${digest}`))
      throw new RegistryError('BLOB_UNKNOWN', 'blob unknown', deletedHereDetail);
    const size = this.blobs.get(region)?.get(`${repository}@${digest}`);
    if (size === undefined) throw new RegistryError('BLOB_UNKNOWN', 'blob unknown');
    return { digest, size };
  }

  private throwIfFailing(call: Call): void {
    const error = this.failures.get(call)?.shift();
    if (error) throw error;
  }
}
