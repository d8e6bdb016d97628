/**
 * The requests gateway tests make again and again, spelled out with fetch so every test
 * can still look at statuses and headers itself.
 */
import { randomBytes } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { type DigestAlgorithm, computeDigest, mediaTypes } from '@meridian/oci';
import type { RegistryUnderTest } from './registry.harness';

export interface Blob {
  bytes: Buffer;
  digest: string;
  size: number;
}

export function randomBlob(size = 1024, algorithm: DigestAlgorithm = 'sha256'): Blob {
  return blobOf(randomBytes(size), algorithm);
}

export function blobOf(bytes: Buffer | string, algorithm: DigestAlgorithm = 'sha256'): Blob {
  const buffer = Buffer.from(bytes);
  return { bytes: buffer, digest: computeDigest(buffer, algorithm), size: buffer.length };
}

export async function expectStatus(response: Response, status: number): Promise<Response> {
  if (response.status !== status) {
    throw new Error(`expected ${status}, got ${response.status}: ${await response.text()}`);
  }
  return response;
}

/** POST, then the location of the new session (relative, as the gateway answers it). */
export async function startUpload(registry: RegistryUnderTest, name: string): Promise<string> {
  const response = await expectStatus(
    await registry.request(`/v2/${name}/blobs/uploads/`, { method: 'POST' }),
    202,
  );
  return response.headers.get('location')!;
}

/** A whole blob in POST + PUT. */
export async function pushBlob(
  registry: RegistryUnderTest,
  name: string,
  blob: Blob,
): Promise<void> {
  const location = await startUpload(registry, name);
  await expectStatus(
    await registry.request(`${location}?digest=${blob.digest}`, {
      method: 'PUT',
      body: blob.bytes,
    }),
    201,
  );
}

export interface Manifest {
  body: Buffer;
  digest: string;
  mediaType: string;
}

export function manifestOf(
  value: unknown,
  mediaType: string = mediaTypes.ociManifest,
  algorithm: DigestAlgorithm = 'sha256',
): Manifest {
  const body = Buffer.from(JSON.stringify(value));
  return { body, digest: computeDigest(body, algorithm), mediaType };
}

/** An OCI image manifest of config and layers already pushed. */
export function imageManifest(
  config: Blob,
  layers: Blob[],
  extra: { subject?: Manifest; artifactType?: string; annotations?: Record<string, string> } = {},
): Manifest {
  return manifestOf({
    schemaVersion: 2,
    mediaType: mediaTypes.ociManifest,
    ...(extra.artifactType ? { artifactType: extra.artifactType } : {}),
    config: { mediaType: mediaTypes.ociConfig, digest: config.digest, size: config.size },
    layers: layers.map((layer) => ({
      mediaType: mediaTypes.ociLayerTar,
      digest: layer.digest,
      size: layer.size,
    })),
    ...(extra.subject
      ? {
          subject: {
            mediaType: extra.subject.mediaType,
            digest: extra.subject.digest,
            size: extra.subject.body.length,
          },
        }
      : {}),
    ...(extra.annotations ? { annotations: extra.annotations } : {}),
  });
}

export function putManifest(
  registry: RegistryUnderTest,
  name: string,
  reference: string,
  manifest: Manifest,
): Promise<Response> {
  return registry.request(`/v2/${name}/manifests/${reference}`, {
    method: 'PUT',
    headers: { 'content-type': manifest.mediaType },
    body: manifest.body,
  });
}

/** Pushes a config and one layer, then the manifest referencing them, under `tag`. */
export async function pushImage(
  registry: RegistryUnderTest,
  name: string,
  tag: string,
  extra: Parameters<typeof imageManifest>[2] = {},
): Promise<{ manifest: Manifest; config: Blob; layer: Blob }> {
  const config = blobOf(JSON.stringify({ architecture: 'amd64', os: 'linux', tag }));
  const layer = randomBlob(2048);
  await pushBlob(registry, name, config);
  await pushBlob(registry, name, layer);
  const manifest = imageManifest(config, [layer], extra);
  await expectStatus(await putManifest(registry, name, tag, manifest), 201);
  return { manifest, config, layer };
}

export async function errorCode(response: Response): Promise<string | undefined> {
  const body = (await response.json()) as { errors?: { code: string }[] };
  return body.errors?.[0]?.code;
}

/**
 * A request to the management API (`/api/v1/...`) as a service principal holding `roles`,
 * with `body` as JSON.
 */
export async function callApi(
  registry: RegistryUnderTest,
  method: string,
  path: string,
  body?: unknown,
  roles = ['Owner'],
): Promise<Response> {
  return fetch(`${registry.url}${path}`, {
    method,
    headers: {
      ...(await registry.auth.asRoles(roles)),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** `location` (relative or not) with `name=value` added to its query, as clients add `digest`. */
export function withQuery(location: string, name: string, value: string): string {
  const url = new URL(location, 'http://registry.invalid');
  url.searchParams.set(name, value);
  return location.startsWith('/') ? `${url.pathname}${url.search}` : url.toString();
}

/** The blob service's verbs the gateway called while `work` ran, in order (subjects end `<verb>.v<n>`). */
export async function blobRpcsDuring(
  registry: RegistryUnderTest,
  work: () => Promise<void>,
): Promise<string[]> {
  const nats = await connect({ servers: registry.natsUrl });
  try {
    const verbs: string[] = [];
    const subscription = nats.subscribe('meridian.us-east.rpc.blob.>', {
      callback: (_error, message) => {
        verbs.push(message.subject.split('.').at(-2)!);
      },
    });
    await nats.flush();
    await work();
    await nats.flush();
    subscription.unsubscribe();
    return verbs;
  } finally {
    await nats.close();
  }
}
