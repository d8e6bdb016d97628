/**
 * Attaches a document (the CycloneDX SBOM, the scan report) to an image as an OCI referrer:
 * an artifact manifest whose `subject` is the image, so `GET /v2/<name>/referrers/<digest>`
 * lists it. It goes the way every push goes, so it replicates like one: the bytes to their
 * content-addressed place in the regional store, `blob.link` into the repository, then
 * `manifest.put`, which announces `manifest.pushed.v1`.
 */
import { Inject, Injectable } from '@nestjs/common';
import { blobRpc, manifestRpc } from '@meridian/contracts';
import { RpcClient } from '@meridian/messaging';
import { mediaTypes, sha256Digest } from '@meridian/oci';
import { type StorageDriver, blobKey, storageDriverToken } from '@meridian/storage';

export interface Subject {
  repository: string;
  digest: string;
  mediaType: string;
  size: number;
}

export interface Document {
  artifactType: string;
  bytes: Buffer;
  annotations?: Record<string, string>;
}

export abstract class ReferrerPublisher {
  /** Pushes the document as a referrer of the subject; the artifact manifest's digest. */
  abstract attach(subject: Subject, document: Document): Promise<string>;
}

const emptyConfig = Buffer.from('{}');

@Injectable()
export class RegistryReferrerPublisher extends ReferrerPublisher {
  constructor(
    @Inject(storageDriverToken) private readonly store: StorageDriver,
    private readonly rpc: RpcClient,
  ) {
    super();
  }

  async attach(subject: Subject, document: Document): Promise<string> {
    const config = await this.putBlob(subject.repository, emptyConfig);
    const layer = await this.putBlob(subject.repository, document.bytes);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: mediaTypes.ociManifest,
        artifactType: document.artifactType,
        config: { mediaType: mediaTypes.ociEmpty, ...config },
        layers: [{ mediaType: document.artifactType, ...layer }],
        subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
        ...(document.annotations ? { annotations: document.annotations } : {}),
      }),
    );
    const pushed = await this.rpc.request(
      manifestRpc.put,
      {
        repository: subject.repository,
        reference: sha256Digest(manifest),
        contentType: mediaTypes.ociManifest,
        body: manifest.toString('base64'),
      },
      { context: { actor: { name: 'meridian-scan' } } },
    );
    return pushed.digest;
  }

  private async putBlob(
    repository: string,
    bytes: Buffer,
  ): Promise<{ digest: string; size: number }> {
    const digest = sha256Digest(bytes);
    const key = blobKey(digest);
    if ((await this.store.stat(key))?.size !== bytes.byteLength)
      await this.store.put(key, bytes, bytes.byteLength);
    await this.rpc.request(blobRpc.link, { repository, digest, size: bytes.byteLength });
    return { digest, size: bytes.byteLength };
  }
}
