/**
 * Artifacts that refer to an image (signatures, SBOMs) through their `subject`, found
 * with the referrers API (distribution-spec 1.1 "Listing Referrers").
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mediaTypes, sha256Digest } from '@meridian/oci';
import {
  type Descriptor,
  type PushedArtifact,
  buildOciImage,
  pushArtifact,
} from '@meridian/testing';
import { type RegistryUnderTest, startRegistry } from './support/registry-under-test';
import { Skopeo } from './support/skopeo';

const sbomType = 'application/spdx+json';
const signatureType = 'application/vnd.example.signature.v1+json';

interface ReferrersIndex {
  schemaVersion: number;
  mediaType: string;
  manifests: (Descriptor & { artifactType?: string; annotations?: Record<string, string> })[];
}

describe('referrers', () => {
  let registry: RegistryUnderTest;
  let work: string;
  let subject: Descriptor;
  let sbom: PushedArtifact;
  let signature: PushedArtifact;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'meridian-e2e-referrers-'));
    const image = await buildOciImage(join(work, 'image'), {
      tag: 'v1',
      layers: [{ files: { 'etc/app': 'app\n' } }, { files: { 'usr/bin/app': 'binary\n' } }],
    });
    registry = await startRegistry('referrers');
    await new Skopeo(registry).copy(image.reference, new Skopeo(registry).docker('team/app:v1'));
    const pushed = await registry.client.getManifest('team/app', 'v1', [mediaTypes.ociManifest]);
    subject = { mediaType: pushed.mediaType, digest: pushed.digest, size: pushed.size };

    sbom = await pushArtifact(registry.client, {
      repository: 'team/app',
      artifactType: sbomType,
      subject,
      blobs: [{ mediaType: sbomType, content: '{"spdxVersion":"SPDX-2.3"}' }],
      annotations: { 'org.opencontainers.image.created': '2024-01-01T00:00:00Z' },
    });
    signature = await pushArtifact(registry.client, {
      repository: 'team/app',
      artifactType: signatureType,
      subject,
    });
  }, 300_000);

  afterAll(async () => {
    await registry?.dispose();
    await rm(work, { recursive: true, force: true });
  });

  function asReferrer(artifact: PushedArtifact) {
    return {
      mediaType: mediaTypes.ociManifest,
      digest: artifact.digest,
      size: artifact.size,
      artifactType: artifact.artifactType,
      ...(artifact.annotations && { annotations: artifact.annotations }),
    };
  }

  async function referrers(digest: string, artifactType?: string) {
    const response = await registry.client.referrers('team/app', digest, artifactType);
    return {
      contentType: response.headers.get('content-type'),
      filtersApplied: response.headers.get('oci-filters-applied'),
      index: (await response.json()) as ReferrersIndex,
    };
  }

  it('answers a manifest PUT that has a subject with the OCI-Subject header', () => {
    expect(sbom.response.status).toBe(201);
    expect(sbom.response.headers.get('oci-subject')).toBe(subject.digest);
    expect(sbom.response.headers.get('docker-content-digest')).toBe(sbom.digest);
    expect(signature.response.headers.get('oci-subject')).toBe(subject.digest);
  });

  it('lists every artifact whose subject is the image, as an image index', async () => {
    const { contentType, index } = await referrers(subject.digest);

    expect(contentType).toMatch(/^application\/vnd\.oci\.image\.index\.v1\+json/);
    expect(index.schemaVersion).toBe(2);
    expect(index.mediaType).toBe(mediaTypes.ociIndex);
    expect(sortByDigest(index.manifests)).toEqual(
      sortByDigest([asReferrer(sbom), asReferrer(signature)]),
    );
  });

  it('filters by artifactType and says so in OCI-Filters-Applied', async () => {
    const { filtersApplied, index } = await referrers(subject.digest, signatureType);

    expect(filtersApplied).toBe('artifactType');
    expect(index.manifests).toEqual([asReferrer(signature)]);
  });

  it('lists referrers of a subject that was never pushed', async () => {
    const missing = {
      mediaType: mediaTypes.ociManifest,
      digest: sha256Digest('a manifest this registry never saw'),
      size: 34,
    };
    const orphan = await pushArtifact(registry.client, {
      repository: 'team/app',
      artifactType: sbomType,
      subject: missing,
    });

    expect(orphan.response.headers.get('oci-subject')).toBe(missing.digest);
    expect((await referrers(missing.digest)).index.manifests).toEqual([asReferrer(orphan)]);
  });

  it('answers an empty index for a digest nothing refers to', async () => {
    const { index } = await referrers(sha256Digest('nothing refers to this'));

    expect(index).toMatchObject({
      schemaVersion: 2,
      mediaType: mediaTypes.ociIndex,
      manifests: [],
    });
  });

  it('drops an artifact from the list once it is deleted', async () => {
    const doomed = await pushArtifact(registry.client, {
      repository: 'team/app',
      artifactType: 'application/vnd.example.attestation.v1+json',
      subject,
    });
    expect((await referrers(subject.digest)).index.manifests).toContainEqual(asReferrer(doomed));

    await registry.client.expect('DELETE', `/v2/team/app/manifests/${doomed.digest}`, [202]);

    expect((await referrers(subject.digest)).index.manifests).not.toContainEqual(
      asReferrer(doomed),
    );
  });
});

function sortByDigest<T extends { digest: string }>(descriptors: T[]): T[] {
  return [...descriptors].sort((a, b) => a.digest.localeCompare(b.digest));
}
