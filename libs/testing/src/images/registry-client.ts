/**
 * The few OCI distribution requests end-to-end fixtures make themselves, where no client
 * binary speaks the feature: blob uploads, manifest PUTs of lists and artifacts, and the
 * referrers API. Any unexpected status throws a `RegistryRequestError` with the request,
 * the status expected, and what came back.
 */
import { type DigestAlgorithm, computeDigest, sha256Digest } from '@meridian/oci';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

export interface FetchedManifest extends Descriptor {
  bytes: Buffer;
  /** the Docker-Content-Digest header, as the registry sent it */
  digestHeader: string | null;
}

export class RegistryRequestError extends Error {
  override readonly name = 'RegistryRequestError';

  constructor(
    readonly request: string,
    readonly expected: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`${request}: expected ${expected}, got ${status} ${body.slice(0, 2000)}`);
  }
}

export class RegistryClient {
  /** e.g. `http://127.0.0.1:5000` */
  constructor(readonly baseUrl: string) {}

  /** `host:port`, as containers-image references name the registry */
  get host(): string {
    return new URL(this.baseUrl).host;
  }

  url(path: string): string {
    return new URL(path, this.baseUrl).toString();
  }

  /** Uploads a blob in one POST + PUT session, named by `algorithm`, and returns its descriptor. */
  async pushBlob(
    repository: string,
    content: string | Uint8Array,
    mediaType: string,
    algorithm: DigestAlgorithm = 'sha256',
  ): Promise<Descriptor> {
    const bytes = typeof content === 'string' ? Buffer.from(content) : Buffer.from(content);
    const digest = computeDigest(bytes, algorithm);
    const started = await this.expect('POST', `/v2/${repository}/blobs/uploads/`, [202]);
    const location = started.headers.get('location');
    if (!location)
      throw new RegistryRequestError(
        `POST /v2/${repository}/blobs/uploads/`,
        'a Location header',
        started.status,
        '',
      );
    const closeUrl = new URL(location, this.baseUrl);
    closeUrl.searchParams.set('digest', digest);
    await this.expect('PUT', closeUrl.toString(), [201], {
      body: bytes,
      headers: { 'content-type': 'application/octet-stream' },
    });
    return { mediaType, digest, size: bytes.length };
  }

  /** PUTs a manifest and returns the response (201 expected), e.g. to read `OCI-Subject`. */
  async putManifest(
    repository: string,
    reference: string,
    body: Buffer,
    mediaType: string,
  ): Promise<Response> {
    return this.expect('PUT', `/v2/${repository}/manifests/${reference}`, [201], {
      body,
      headers: { 'content-type': mediaType },
    });
  }

  async getManifest(
    repository: string,
    reference: string,
    accept: readonly string[],
  ): Promise<FetchedManifest> {
    const response = await this.expect('GET', `/v2/${repository}/manifests/${reference}`, [200], {
      headers: { accept: accept.join(', ') },
    });
    const bytes = Buffer.from(await response.arrayBuffer());
    return {
      mediaType: (response.headers.get('content-type') ?? '').split(';')[0]!.trim(),
      digest: sha256Digest(bytes),
      size: bytes.length,
      bytes,
      digestHeader: response.headers.get('docker-content-digest'),
    };
  }

  /** `GET /v2/<name>/referrers/<digest>`, optionally filtered by artifact type. */
  async referrers(repository: string, digest: string, artifactType?: string): Promise<Response> {
    const query = artifactType ? `?artifactType=${encodeURIComponent(artifactType)}` : '';
    return this.expect('GET', `/v2/${repository}/referrers/${digest}${query}`, [200]);
  }

  /** Sends a request and throws unless its status is one of `statuses`. */
  async expect(
    method: string,
    pathOrUrl: string,
    statuses: readonly number[],
    init: { body?: Buffer; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const url = this.url(pathOrUrl);
    const response = await fetch(url, {
      method,
      headers: init.headers,
      body: init.body,
      signal: AbortSignal.timeout(60_000),
    });
    if (!statuses.includes(response.status)) {
      throw new RegistryRequestError(
        `${method} ${url}`,
        statuses.join(' or '),
        response.status,
        await response.text(),
      );
    }
    return response;
  }
}
