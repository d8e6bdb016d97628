/**
 * Webhooks as users meet them, on the embedded default (us-east and eu-west): a webhook of
 * eu-west, created through us-east's management API (configs replicate), is told of a push
 * to us-east only once eu-west has the image. The receiver checks, before it answers, that
 * the manifest and every blob pull from eu-west's gateway with their digests, and that
 * eu-west's status API says ready. The payload has ACR's shape and the signature verifies
 * the way the README tells receivers to. A us-east webhook hears of the same push too.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type OciLayoutImage,
  buildOciImage,
  expectEventually,
  runCommand,
} from '@meridian/testing';
import { type GeoMeridian, type GeoRegionId, startGeoMeridian } from './support/geo-meridian';

interface Notification {
  receivedAt: number;
  headers: IncomingHttpHeaders;
  body: string;
  json: Record<string, unknown>;
  /** what the receiver found in eu-west before answering */
  pullableInEuWest?: { manifest: boolean; blobs: Record<string, boolean>; statusReady: boolean };
}

interface CreatedWebhook {
  name: string;
  region: string;
  secret: string;
}

/** What a receiver does with `X-Meridian-Timestamp` and `X-Meridian-Signature` (see README). */
function signatureVerifies(secret: string, headers: IncomingHttpHeaders, body: string): boolean {
  const timestamp = headers['x-meridian-timestamp'] as string;
  const expected = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
  const given = Buffer.from((headers['x-meridian-signature'] as string | undefined) ?? '');
  return given.length === expected.length && timingSafeEqual(given, Buffer.from(expected));
}

describe('webhooks across two regions', () => {
  let meridian: GeoMeridian;
  let work: string;
  let image: OciLayoutImage;
  let server: Server;
  let receiverUrl: string;
  const notifications: Record<string, Notification[]> = { 'us-east': [], 'eu-west': [] };
  const allowedBefore = process.env['MERIDIAN_WEBHOOK_ALLOWED_HOSTS'];

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'meridian-e2e-webhooks-'));
    // the receiver listens on loopback, which webhooks may reach only when the operator says so
    process.env['MERIDIAN_WEBHOOK_ALLOWED_HOSTS'] = '127.0.0.1';
    [meridian, image] = await Promise.all([
      startGeoMeridian('webhooks'),
      buildOciImage(join(work, 'image'), {
        tag: 'v1',
        layers: [0, 1, 2].map((index) => ({
          files: { [`layer-${index}/data`]: `webhook layer ${index}\n`.repeat(8192) },
        })),
      }),
    ]);
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        void receive(request.url ?? '/', request.headers, Buffer.concat(chunks).toString('utf8'))
          .then(() => response.writeHead(200).end('ok'))
          .catch((error: Error) => response.writeHead(500).end(error.message));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 360_000);

  afterAll(async () => {
    if (allowedBefore === undefined) delete process.env['MERIDIAN_WEBHOOK_ALLOWED_HOSTS'];
    else process.env['MERIDIAN_WEBHOOK_ALLOWED_HOSTS'] = allowedBefore;
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await meridian?.dispose();
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** Records a notification; for eu-west's, first checks synchronously what eu-west serves. */
  async function receive(path: string, headers: IncomingHttpHeaders, body: string): Promise<void> {
    const region = path.slice(1);
    const notification: Notification = {
      receivedAt: Date.now(),
      headers,
      body,
      json: JSON.parse(body) as Record<string, unknown>,
    };
    if (region === 'eu-west' && notification.json['action'] === 'push')
      notification.pullableInEuWest = await pullableInEuWest();
    notifications[region]!.push(notification);
  }

  async function pullableInEuWest(): Promise<Notification['pullableInEuWest']> {
    const client = meridian.regions['eu-west'].client;
    const repository = 'hooks/app';
    const manifest = await client.expect(
      'GET',
      `/v2/${repository}/manifests/${image.manifestDigest}`,
      [200, 404],
      {
        headers: { accept: image.mediaType },
      },
    );
    const manifestBytes = Buffer.from(await manifest.arrayBuffer());
    const blobs: Record<string, boolean> = {};
    for (const digest of [image.configDigest!, ...image.layerDigests]) {
      const blob = await client.expect('GET', `/v2/${repository}/blobs/${digest}`, [200, 404]);
      const bytes = Buffer.from(await blob.arrayBuffer());
      blobs[digest] =
        blob.status === 200 &&
        `sha256:${createHash('sha256').update(bytes).digest('hex')}` === digest;
    }
    const query = new URLSearchParams({ repository, reference: image.manifestDigest });
    const status = await meridian.api<{ regions: Array<{ region: string; state: string }> }>(
      'eu-west',
      `/api/v1/replication/status?${query}`,
    );
    return {
      manifest: manifest.status === 200 && manifestBytes.equals(image.manifestBytes),
      blobs,
      statusReady:
        status.body.regions?.find((entry) => entry.region === 'eu-west')?.state === 'ready',
    };
  }

  function notificationsOf(region: GeoRegionId, digest: string, action = 'push'): Notification[] {
    return notifications[region]!.filter(
      (notification) =>
        notification.json['action'] === action &&
        (notification.json['target'] as { digest?: string } | undefined)?.digest === digest,
    );
  }

  async function management<T>(region: GeoRegionId, method: string, path: string, body?: unknown) {
    const client = meridian.regions[region].client;
    const response = await fetch(client.url(`/api/v1${path}`), {
      method,
      headers: { authorization: client.basicAuthorization, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    return { status: response.status, body: (text === '' ? undefined : JSON.parse(text)) as T };
  }

  async function createWebhook(name: string, region: GeoRegionId): Promise<CreatedWebhook> {
    const created = await management<{ secret: string; region: string }>(
      'us-east',
      'PUT',
      `/webhooks/${name}`,
      {
        serviceUri: `${receiverUrl}/${region}`,
        actions: ['push', 'replicated'],
        scope: 'hooks/*:*',
        region,
      },
    );
    expect(created.status).toBe(201);
    expect(created.body.region).toBe(region);
    return { name, region, secret: created.body.secret };
  }

  it('refuses a webhook to a metadata address with 400', async () => {
    const refused = await management<{ errors: Array<{ code: string }> }>(
      'us-east',
      'PUT',
      '/webhooks/metadatahook',
      {
        serviceUri: 'http://169.254.169.254/latest/meta-data',
        actions: ['push'],
      },
    );
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0]!.code).toBe('REQUEST_INVALID');
  });

  it("tells eu-west's webhook of a push to us-east once every blob pulls from eu-west, signed, in ACR's shape", async () => {
    const euWest = await createWebhook('euwesthook', 'eu-west');
    const usEast = await createWebhook('useasthook', 'us-east');
    // the config replicates: eu-west's webhook service delivers it
    await expectEventually(
      async () => {
        const shown = await management<{ name: string; secret?: string }>(
          'eu-west',
          'GET',
          '/webhooks/euwesthook',
        );
        expect(shown.status).toBe(200);
        expect(shown.body.secret).toBeUndefined();
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );

    await runCommand('skopeo', [
      '--insecure-policy',
      'copy',
      '--dest-tls-verify=false',
      '--dest-creds',
      meridian.creds,
      image.reference,
      `docker://${meridian.regions['us-east'].host}/hooks/app:v1`,
    ]).catch((error: Error) => {
      throw new Error(`${error.message}\n${meridian.describeOutput()}`);
    });

    // the scan service's report and SBOM, pushed beside the image, are announced too
    const fromEuWest = await expectEventually(
      () => {
        const about = notificationsOf('eu-west', image.manifestDigest);
        expect(about.length).toBeGreaterThanOrEqual(1);
        return about[0];
      },
      { timeoutMs: 120_000, intervalMs: 100 },
    );
    expect(fromEuWest!.pullableInEuWest).toEqual({
      manifest: true,
      blobs: Object.fromEntries(
        [image.configDigest!, ...image.layerDigests].map((digest) => [digest, true]),
      ),
      statusReady: true,
    });
    expect(fromEuWest!.json).toEqual({
      id: expect.any(String),
      timestamp: expect.any(String),
      action: 'push',
      target: {
        mediaType: image.mediaType,
        size: image.manifestBytes.length,
        length: image.manifestBytes.length,
        digest: image.manifestDigest,
        repository: 'hooks/app',
        tag: 'v1',
      },
      request: expect.objectContaining({ id: expect.any(String), method: 'PUT' }),
      region: 'eu-west',
    });
    expect(fromEuWest!.headers['idempotency-key']).toBe(fromEuWest!.json['id']);
    expect(signatureVerifies(euWest.secret, fromEuWest!.headers, fromEuWest!.body)).toBe(true);
    expect(signatureVerifies(usEast.secret, fromEuWest!.headers, fromEuWest!.body)).toBe(false);

    const fromUsEast = await expectEventually(() => {
      const about = notificationsOf('us-east', image.manifestDigest);
      expect(about.length).toBeGreaterThanOrEqual(1);
      return about[0];
    });
    expect(fromUsEast!.json).toMatchObject({
      action: 'push',
      region: 'us-east',
      target: { digest: image.manifestDigest },
    });
    expect(signatureVerifies(usEast.secret, fromUsEast!.headers, fromUsEast!.body)).toBe(true);

    // eu-west's webhook is also told the image replicated there; us-east's, where it was
    // pushed, is not
    const replicated = await expectEventually(() => {
      const about = notificationsOf('eu-west', image.manifestDigest, 'replicated');
      expect(about).toHaveLength(1);
      return about[0]!;
    });
    expect(replicated.json).toMatchObject({
      action: 'replicated',
      region: 'eu-west',
      target: { repository: 'hooks/app', digest: image.manifestDigest, tag: 'v1' },
      replication: { sourceRegion: 'us-east', lagMs: expect.any(Number) },
    });
    expect(replicated.json['id']).not.toBe(fromEuWest!.json['id']);
    expect(notificationsOf('us-east', image.manifestDigest, 'replicated')).toEqual([]);

    // the delivery log of eu-west's webhook, as either region's gateway serves it
    for (const region of ['eu-west', 'us-east'] as const) {
      const logged = await management<{ deliveries: Array<{ state: string; eventId: string }> }>(
        region,
        'GET',
        '/webhooks/euwesthook/events?n=100',
      );
      expect(logged.status).toBe(200);
      const delivery = logged.body.deliveries.find(
        (entry) => entry.eventId === fromEuWest!.json['id'],
      );
      expect(delivery).toMatchObject({ state: 'succeeded' });
    }
  });
});
