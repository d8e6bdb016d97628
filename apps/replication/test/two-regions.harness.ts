/**
 * Two regions as they run in production, for integration tests: us-east and eu-west, each
 * with its own nats-server (JetStream domain = region, joined by a leafnode link), its own
 * Postgres database and filesystem store, and its blob, manifest, auth and replication
 * services spawned as processes (the admin account enabled in us-east only). Tests push through the services' RPCs as the gateway does (bytes
 * into the store, then `blob.upload-complete` and `manifest.put`), and can kill -9 and
 * restart one region's replication service.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { blobRpc, isRegistryError, manifestRpc } from '@meridian/contracts';
import { Nats, RpcClient } from '@meridian/messaging';
import { type DigestAlgorithm, computeDigest } from '@meridian/oci';
import { FilesystemStorageDriver, peerStorageEnvKey } from '@meridian/storage';
import { createLogger } from '@meridian/telemetry';
import {
  type ManagedProcess,
  type TestDatabase,
  type TestNatsRegions,
  createTestDatabase,
  spawnProcess,
  startNatsRegions,
} from '@meridian/testing';

export const regions = ['us-east', 'eu-west'] as const;
/** the admin account's password, set in us-east's auth service only */
export const adminPassword = 'meridian-replication-test';
export type Region = (typeof regions)[number];

const repositoryRoot = resolve(__dirname, '../../..');
const services = ['blob', 'manifest', 'auth', 'replication'] as const;
type Service = (typeof services)[number];

export interface PushedBlob {
  digest: string;
  size: number;
  bytes: Buffer;
}

export class RegionUnderTest {
  readonly processes = new Map<Service, ManagedProcess>();

  constructor(
    readonly region: Region,
    readonly env: NodeJS.ProcessEnv,
    readonly store: FilesystemStorageDriver,
    readonly nats: Nats,
  ) {
    this.client = new RpcClient(nats);
  }

  /** calls the region's RPCs as its gateway does */
  readonly client: RpcClient;

  async start(service: Service): Promise<void> {
    const child = spawnProcess({
      name: `${this.region}/${service}`,
      command: process.execPath,
      args: ['-r', '@swc-node/register', join('apps', service, 'src', 'main.ts')],
      cwd: repositoryRoot,
      env: this.env,
      stopGraceMs: 5_000,
    });
    this.processes.set(service, child);
    await child.waitForLine((line) => line.text.includes('"service ready"'), {
      timeoutMs: 60_000,
      description: `${this.region} ${service} ready`,
    });
  }

  /** A crash: SIGKILL, no chance to finish anything. */
  async kill(service: Service): Promise<void> {
    await this.processes.get(service)?.stop({ signal: 'SIGKILL', graceMs: 0 });
    this.processes.delete(service);
  }

  async stopAll(): Promise<void> {
    for (const service of [...services].reverse()) await this.processes.get(service)?.stop();
    this.processes.clear();
  }

  /** Uploads a blob as the gateway does: bytes into the store, then the session completed. */
  async pushBlob(
    repository: string,
    bytes: Buffer,
    algorithm: DigestAlgorithm = 'sha256',
  ): Promise<PushedBlob> {
    const digest = computeDigest(bytes, algorithm);
    const started = await this.client.request(blobRpc.uploadStart, { repository });
    if (started.kind !== 'session') return { digest, size: bytes.length, bytes };
    const { uploadId, state } = started.session;
    const appended = await this.store.appendUpload(
      uploadId,
      state,
      Readable.from([bytes]),
      bytes.length,
    );
    await this.client.request(blobRpc.uploadComplete, {
      repository,
      uploadId,
      digest,
      state: appended,
    });
    return { digest, size: bytes.length, bytes };
  }

  /** Pushes an image manifest over the blobs (config first) under a tag or its digest. */
  pushImage(
    repository: string,
    reference: string | undefined,
    blobs: PushedBlob[],
    algorithm: DigestAlgorithm = 'sha256',
  ) {
    const [config, ...layers] = blobs;
    return this.pushManifest(
      repository,
      reference,
      {
        schemaVersion: 2,
        mediaType: mediaTypes.image,
        config: { mediaType: mediaTypes.config, digest: config!.digest, size: config!.size },
        layers: layers.map((layer) => ({
          mediaType: mediaTypes.layer,
          digest: layer.digest,
          size: layer.size,
        })),
      },
      algorithm,
    );
  }

  /** Pushes an index over manifests pushed before, one per platform. */
  pushIndex(repository: string, tag: string, children: { digest: string; size: number }[]) {
    const architectures = ['amd64', 'arm64', 's390x', 'ppc64le'];
    return this.pushManifest(repository, tag, {
      schemaVersion: 2,
      mediaType: mediaTypes.index,
      manifests: children.map((child, index) => ({
        mediaType: mediaTypes.image,
        digest: child.digest,
        size: child.size,
        platform: { os: 'linux', architecture: architectures[index] },
      })),
    });
  }

  /** `manifest.put` as the gateway calls it; without a reference, by the body's digest. */
  pushManifest(
    repository: string,
    reference: string | undefined,
    manifest: { mediaType: string; [field: string]: unknown },
    algorithm: DigestAlgorithm = 'sha256',
  ) {
    const body = Buffer.from(JSON.stringify(manifest));
    return this.client.request(manifestRpc.put, {
      repository,
      reference: reference ?? computeDigest(body, algorithm),
      contentType: manifest.mediaType,
      body: body.toString('base64'),
    });
  }

  /** The digest a reference resolves to here, or the error code when it does not. */
  async resolve(repository: string, reference: string): Promise<string> {
    try {
      const found = await this.client.request(manifestRpc.get, {
        repository,
        reference,
        includeBody: false,
      });
      return found.digest;
    } catch (error) {
      if (isRegistryError(error)) return error.code;
      throw error;
    }
  }
}

const mediaTypes = {
  image: 'application/vnd.oci.image.manifest.v1+json',
  index: 'application/vnd.oci.image.index.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

export class TwoRegions {
  private constructor(
    private readonly nats: TestNatsRegions,
    private readonly databases: TestDatabase[],
    private readonly storeRoots: string[],
    private readonly byRegion: Map<Region, RegionUnderTest>,
  ) {}

  /**
   * `env`: more of the services' environment, the same in both regions. The two stores are
   * directories of one filesystem, as in the embedded default, so replication links a
   * blob's file; with `storesApart`, us-east's is on another filesystem (tmpfs), as with a
   * volume per region, so replication copies the bytes.
   */
  static async start(
    label: string,
    env: NodeJS.ProcessEnv = {},
    { storesApart = false }: { storesApart?: boolean } = {},
  ): Promise<TwoRegions> {
    const nats = await startNatsRegions(regions);
    const storeRoot = await mkdtemp(join(tmpdir(), 'meridian-replication-'));
    const storeRoots = [storeRoot];
    if (storesApart) storeRoots.push(await mkdtemp('/dev/shm/meridian-replication-'));
    const storeDirectory = (region: Region): string =>
      join(region === 'us-east' ? storeRoots.at(-1)! : storeRoot, region);
    const databases: TestDatabase[] = [];
    const byRegion = new Map<Region, RegionUnderTest>();
    const sut = new TwoRegions(nats, databases, storeRoots, byRegion);
    try {
      for (const region of regions) {
        const database = await createTestDatabase(`${label}_${region.replace('-', '_')}`);
        databases.push(database);
        const peer = regions.find((other) => other !== region)!;
        const regionEnv: NodeJS.ProcessEnv = {
          ...process.env,
          MERIDIAN_REGION: region,
          MERIDIAN_NATS_URL: nats.server(region).url,
          DATABASE_URL: database.url,
          MERIDIAN_STORAGE_DRIVER: 'filesystem',
          MERIDIAN_STORAGE_DIR: storeDirectory(region),
          MERIDIAN_PEERS: peer,
          [peerStorageEnvKey(peer, 'MERIDIAN_STORAGE_DRIVER')]: 'filesystem',
          [peerStorageEnvKey(peer, 'MERIDIAN_STORAGE_DIR')]: storeDirectory(peer),
          MERIDIAN_LOG_LEVEL: 'info',
          ...(region === 'us-east' ? { MERIDIAN_ADMIN_PASSWORD: adminPassword } : {}),
          ...env,
        };
        const store = new FilesystemStorageDriver({ rootDirectory: storeDirectory(region) });
        await store.init();
        const logger = createLogger({ service: 'gateway', region, level: 'silent' });
        const client = await Nats.connect({
          servers: nats.server(region).url,
          region,
          service: 'gateway',
          logger,
        });
        byRegion.set(region, new RegionUnderTest(region, regionEnv, store, client));
      }
      for (const region of regions)
        for (const service of services) await sut.region(region).start(service);
      return sut;
    } catch (error) {
      await sut.stop();
      throw error;
    }
  }

  region(region: Region): RegionUnderTest {
    return this.byRegion.get(region)!;
  }

  /** Cuts `region` off: its nats-server dies, so the link and its services' NATS are gone. */
  async cutOff(region: Region): Promise<void> {
    await this.nats.server(region).kill();
  }

  /** Brings the region's nats-server back on the same ports and store; the link returns. */
  async reconnect(region: Region): Promise<void> {
    await this.nats.server(region).restart();
  }

  async stop(): Promise<void> {
    for (const region of this.byRegion.values()) {
      await region.stopAll();
      await region.nats.close();
    }
    await this.nats.stop();
    for (const database of this.databases) await database.drop();
    for (const root of this.storeRoots) await rm(root, { recursive: true, force: true });
  }
}
