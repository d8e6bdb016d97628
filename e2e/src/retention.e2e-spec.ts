/**
 * Retention of untagged manifests (ACR's policy) on the embedded default (us-east and
 * eu-west), with skopeo and the management API, one Meridian for the whole file, its sweep
 * every second (`MERIDIAN_RETENTION_INTERVAL_SECONDS=1`): with `days: 0` set in us-east, an
 * image skopeo pushed and then untagged is gone from both regions, a tagged one stays in
 * both, and a `delete` webhook tells of the removal.
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type OciLayoutImage,
  buildOciImage,
  expectEventually,
  runCommand,
} from '@meridian/testing';
import {
  type GeoMeridian,
  type GeoRegionId,
  geoRegions,
  startGeoMeridian,
} from './support/geo-meridian';

const settleTimeoutMs = 45_000;
const repository = 'retention/app';

describe('retention of untagged manifests in two regions', () => {
  let meridian: GeoMeridian;
  let work: string;
  let server: Server;
  let receiverUrl: string;
  const deliveries: Array<Record<string, unknown>> = [];
  const envBefore = {
    MERIDIAN_WEBHOOK_ALLOWED_HOSTS: process.env['MERIDIAN_WEBHOOK_ALLOWED_HOSTS'],
    MERIDIAN_RETENTION_INTERVAL_SECONDS: process.env['MERIDIAN_RETENTION_INTERVAL_SECONDS'],
  };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'meridian-e2e-retention-'));
    // the receiver listens on loopback, which webhooks may reach only when the operator says so
    process.env['MERIDIAN_WEBHOOK_ALLOWED_HOSTS'] = '127.0.0.1';
    process.env['MERIDIAN_RETENTION_INTERVAL_SECONDS'] = '1';
    meridian = await startGeoMeridian('retention');
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        deliveries.push(
          JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
        );
        response.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }, 360_000);

  afterAll(async () => {
    for (const [key, value] of Object.entries(envBefore)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await meridian?.dispose();
    if (work) await rm(work, { recursive: true, force: true });
  });

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

  function buildImage(name: string): Promise<OciLayoutImage> {
    return buildOciImage(join(work, name), {
      tag: 'latest',
      layers: [{ files: { 'data/file': `retention ${name}\n`.repeat(256) } }],
    });
  }

  async function push(image: OciLayoutImage, reference: string) {
    await runCommand('skopeo', [
      '--insecure-policy',
      'copy',
      '--dest-tls-verify=false',
      '--dest-creds',
      meridian.creds,
      image.reference,
      `docker://${meridian.regions['us-east'].host}/${reference}`,
    ]);
  }

  async function manifestStatus(region: GeoRegionId, reference: string, mediaType: string) {
    const response = await meridian.regions[region].client.expect(
      'GET',
      `/v2/${repository}/manifests/${reference}`,
      [200, 404],
      { headers: { accept: mediaType } },
    );
    await response.arrayBuffer();
    return response.status;
  }

  it('with days 0 removes an untagged image from both regions, keeps a tagged one, and a delete webhook fires', async () => {
    const [untagged, kept] = await Promise.all([buildImage('untagged'), buildImage('kept')]);
    const hook = await management('us-east', 'PUT', '/webhooks/retentionhook', {
      serviceUri: `${receiverUrl}/us-east`,
      actions: ['delete'],
      scope: `${repository}:*`,
      region: 'us-east',
    });
    expect(hook.status).toBe(201);
    // Both regions sweep their own copy; whichever deletes first announces the delete (the
    // other applies it as a replicated write, which announces nothing), so listen in both.
    const euHook = await management('us-east', 'PUT', '/webhooks/retentionhookeu', {
      serviceUri: `${receiverUrl}/eu-west`,
      actions: ['delete'],
      scope: `${repository}:*`,
      region: 'eu-west',
    });
    expect(euHook.status).toBe(201);

    await push(untagged, `${repository}:doomed`);
    await push(kept, `${repository}:kept`);
    // both images in both regions before the tag goes
    for (const region of geoRegions)
      await expectEventually(
        async () => {
          expect(await manifestStatus(region, untagged.manifestDigest, untagged.mediaType)).toBe(
            200,
          );
          expect(await manifestStatus(region, 'kept', kept.mediaType)).toBe(200);
        },
        { timeoutMs: settleTimeoutMs, intervalMs: 250 },
      );
    await meridian.regions['us-east'].client.expect(
      'DELETE',
      `/v2/${repository}/manifests/doomed`,
      [202],
    );

    const set = await management('us-east', 'PUT', '/settings/retention', {
      enabled: true,
      days: 0,
    });
    expect(set).toEqual({ status: 200, body: { enabled: true, days: 0 } });
    await expectEventually(
      async () =>
        expect(await management('eu-west', 'GET', '/settings/retention')).toEqual({
          status: 200,
          body: { enabled: true, days: 0 },
        }),
      { timeoutMs: settleTimeoutMs, intervalMs: 250 },
    );

    for (const region of geoRegions)
      await expectEventually(
        async () =>
          expect(await manifestStatus(region, untagged.manifestDigest, untagged.mediaType)).toBe(
            404,
          ),
        { timeoutMs: settleTimeoutMs, intervalMs: 250 },
      );
    for (const region of geoRegions)
      expect(await manifestStatus(region, 'kept', kept.mediaType)).toBe(200);
    // the manifest's own delete (the untag before it was one too, naming its tag)
    await expectEventually(
      () =>
        expect(
          deliveries.filter((delivery) => {
            const target = delivery['target'] as Record<string, unknown> | undefined;
            return (
              delivery['action'] === 'delete' &&
              target?.['digest'] === untagged.manifestDigest &&
              target['tag'] === undefined
            );
          }),
        ).not.toEqual([]),
      { timeoutMs: settleTimeoutMs, intervalMs: 250 },
    );

    await management('us-east', 'PUT', '/settings/retention', { enabled: false, days: 0 });
  });
});
