/**
 * A rolling restart during pushes loses nothing: while skopeo pushes a multi-layer image
 * again and again (to new repositories, so every push uploads its layers), the gateway,
 * the manifest service and the blob service are each stopped with SIGTERM and started
 * again by the launcher, one after the other. Every push succeeds (skopeo retries what a
 * stopped service turned away), every pushed image is served with its digests afterwards,
 * and every stopped service exited 0.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sha256Digest } from '@meridian/oci';
import {
  type OciLayoutImage,
  buildOciImage,
  expectEventually,
  readOciImage,
} from '@meridian/testing';
import { type RegistryUnderTest, startRegistry } from './support/registry-under-test';
import { servicePids } from './support/service-processes';
import { Skopeo } from './support/skopeo';

const restarted = ['gateway', 'manifest', 'blob'] as const;

describe('a rolling restart during pushes', () => {
  let registry: RegistryUnderTest;
  let skopeo: Skopeo;
  let work: string;
  let image: OciLayoutImage;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'meridian-e2e-rolling-'));
    image = await buildOciImage(join(work, 'source'), {
      tag: 'v1',
      // incompressible enough that each push moves some megabytes
      layers: [0, 1, 2, 3].map((index) => ({
        files: { [`opt/part-${index}`]: randomBytes(3 * 1024 * 1024).toString('base64') },
      })),
    });
    registry = await startRegistry('rolling-restart');
    skopeo = new Skopeo(registry);
  }, 300_000);

  afterAll(async () => {
    await registry?.dispose();
    await rm(work, { recursive: true, force: true });
  });

  it('loses no push, and every stopped service exits 0', async () => {
    if (registry.kind !== 'meridian') return;
    const pushed: string[] = [];
    let restarting = true;
    const pushes = (async () => {
      for (let index = 0; restarting || index < 2; index += 1) {
        const repository = `team/rolling-${index}`;
        await skopeo.copy(image.reference, skopeo.docker(`${repository}:v1`), ['--retry-times=6']);
        pushed.push(repository);
      }
    })();

    // a failed push ends the waiting at once, with its error
    const failedPush = pushes.then(() => new Promise<never>(() => undefined));
    try {
      for (const service of restarted) {
        await Promise.race([waitForPushes(pushed, pushed.length + 1), failedPush]);
        // into the layers of the next push
        await sleep(400);
        await restartService(service);
      }
      // a push that was under way during the last restart ends too: a restart can be over
      // before the push it interrupted, so the count above is not reached without this wait
      await Promise.race([waitForPushes(pushed, pushed.length + 1), failedPush]);
    } finally {
      restarting = false;
    }
    await pushes;

    expect(pushed.length).toBeGreaterThanOrEqual(restarted.length + 2);
    for (const repository of pushed) {
      expect(sha256Digest(await skopeo.inspectRaw(skopeo.docker(`${repository}:v1`)))).toBe(
        image.manifestDigest,
      );
    }
    const out = join(work, 'pulled');
    await skopeo.copy(skopeo.docker(`${pushed[pushed.length - 1]}:v1`), `oci:${out}:v1`);
    expect((await readOciImage(out, 'v1')).layerDigests).toEqual(image.layerDigests);

    const log = await launcherLog();
    for (const service of restarted) expect(log).toContain(`us-east/${service} exited with code 0`);
    expect(log).not.toMatch(/exited with code [1-9]|was killed by/);
  });

  /** SIGTERM to us-east's service (the region under test); resolves once the launcher's new one answers. */
  async function restartService(service: (typeof restarted)[number]): Promise<void> {
    const [pid, ...others] = await servicePids(service, registry.dataDir, 'us-east');
    expect(others).toEqual([]);
    process.kill(pid as number, 'SIGTERM');
    await expectEventually(
      async () => {
        const now = await servicePids(service, registry.dataDir, 'us-east');
        expect(now).toHaveLength(1);
        expect(now).not.toContain(pid);
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
  }

  async function waitForPushes(pushed: string[], count: number): Promise<void> {
    await expectEventually(() => expect(pushed.length).toBeGreaterThanOrEqual(count), {
      timeoutMs: 120_000,
      intervalMs: 100,
    });
  }

  async function launcherLog(): Promise<string> {
    const path = /registry log: (\S+)/.exec(registry.describeOutput(0))?.[1];
    return path ? readFile(path, 'utf8') : registry.describeOutput(500);
  }
});
