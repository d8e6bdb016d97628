/**
 * One push is one trace across both regions of the embedded default. An image pushed to
 * us-east: the gateway's manifest PUT, the manifest service's answer, the event its outbox
 * publishes after the commit, us-east's scan of it, eu-west's replication of it (the event
 * crosses through eu-west's peer events stream, headers and all), the `replication.completed`
 * eu-west's outbox publishes, eu-west's webhook service recording the push notification, and
 * the delivery to the receiver: one trace id, and each hop across a process the child of the
 * span that sent it. Every service exports over OTLP to a stand-in collector.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { type CollectedSpan, OtlpCollector, expectEventually } from '@meridian/testing';
import { type GeoMeridian, startGeoMeridian } from './support/geo-meridian';
import { repoRoot } from './support/registry-log';

const repository = 'traced/app';
const mediaTypes = {
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar',
} as const;

/** what the launcher's services read at start; set for this file only */
const environment = {
  OTEL_EXPORTER_OTLP_ENDPOINT: '',
  OTEL_BSP_SCHEDULE_DELAY: '50',
  // the receiver listens on loopback, which webhooks may reach only when the operator says so
  MERIDIAN_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
  MERIDIAN_ADVISORY_DB: resolve(repoRoot, 'apps/scan/test/fixtures/osv'),
};

describe('one trace from a push in us-east to the webhook delivery in eu-west', () => {
  let collector: OtlpCollector;
  let meridian: GeoMeridian;
  let receiver: Server;
  let receiverUrl: string;
  const received: {
    headers: IncomingHttpHeaders;
    body: { action?: string; target?: { digest?: string } };
  }[] = [];

  beforeAll(async () => {
    collector = await OtlpCollector.start();
    receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({
          headers: request.headers,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as never,
        });
        response.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    const before = Object.fromEntries(
      Object.keys(environment).map((key) => [key, process.env[key]]),
    );
    Object.assign(process.env, environment, { OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint });
    try {
      meridian = await startGeoMeridian('tracing');
    } finally {
      for (const [key, value] of Object.entries(before)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  }, 360_000);

  afterAll(async () => {
    receiver?.closeAllConnections();
    await new Promise((done) => (receiver ? receiver.close(done) : done(undefined)));
    await meridian?.dispose();
    await collector?.close();
  });

  it('runs from the gateway through the manifest service, the outbox, the scan and eu-west replication to the delivery', async () => {
    const usEast = meridian.regions['us-east'].client;
    const created = await fetch(usEast.url('/api/v1/webhooks/tracedhook'), {
      method: 'PUT',
      headers: { authorization: usEast.basicAuthorization, 'content-type': 'application/json' },
      body: JSON.stringify({
        serviceUri: `${receiverUrl}/eu-west`,
        actions: ['push'],
        scope: 'traced/*:*',
        region: 'eu-west',
      }),
    });
    expect(created.status).toBe(201);
    // the configuration replicates: eu-west's webhook service delivers it
    await expectEventually(
      async () =>
        expect((await meridian.api('eu-west', '/api/v1/webhooks/tracedhook')).status).toBe(200),
      { timeoutMs: 60_000, intervalMs: 200 },
    );

    const config = await usEast.pushBlob(
      repository,
      '{"architecture":"amd64","os":"linux"}',
      mediaTypes.config,
    );
    const layer = await usEast.pushBlob(
      repository,
      'a traced layer\n'.repeat(64),
      mediaTypes.layer,
    );
    const manifest = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: mediaTypes.manifest, config, layers: [layer] }),
    );
    const pushed = await usEast.putManifest(repository, 'v1', manifest, mediaTypes.manifest);
    const digest = pushed.headers.get('docker-content-digest');

    await expectEventually(
      () =>
        expect(
          received.some(({ body }) => body.action === 'push' && body.target?.digest === digest),
        ).toBe(true),
      { timeoutMs: 120_000, intervalMs: 100 },
    );

    await expectEventually(
      () => {
        const put = only(
          collector.spans.filter(
            (span) =>
              span.name === 'PUT /v2/{name}/manifests/{reference}' &&
              span.service === 'meridian-gateway' &&
              span.region === 'us-east',
          ),
        );
        const trace = collector.spans.filter((span) => span.traceId === put.traceId);
        /** the span and its ancestors, from the root down */
        const pathTo = (span: CollectedSpan) => {
          const path: CollectedSpan[] = [];
          for (let at: CollectedSpan | undefined = span; at;) {
            path.unshift(at);
            const parentSpanId: string | undefined = at.parentSpanId;
            at = trace.find((candidate) => candidate.spanId === parentSpanId);
          }
          return path;
        };
        // the image's delivery (the scan's report and SBOM referrers are delivered too, in
        // the same trace, through the scan)
        const delivery = only(
          trace
            .filter((span) => span.region === 'eu-west' && span.name === 'webhook deliver')
            .filter((span) => !pathTo(span).some((step) => step.service === 'meridian-scan')),
        );
        const path = pathTo(delivery);
        expect(path[0]).toBe(put);
        const hops = path.filter((span) => hop.test(span.name));
        const expected = [
          ['meridian-gateway', 'us-east', 'manifest.put request'],
          ['meridian-manifest', 'us-east', 'manifest.put answer'],
          ['meridian-manifest', 'us-east', 'meridian.us-east.evt.manifest.pushed.v1 publish'],
          ['meridian-replication', 'eu-west', 'meridian.us-east.evt.manifest.pushed.v1 process'],
          [undefined, 'eu-west', 'meridian.eu-west.evt.replication.completed.v1 publish'],
          ['meridian-webhook', 'eu-west', 'meridian.eu-west.evt.replication.completed.v1 process'],
          ['meridian-webhook', 'eu-west', 'webhook deliver'],
        ] as const;
        // in this order along the path; other calls (the blob and manifest services eu-west's
        // replication asks) may come between
        let from = 0;
        const found = expected.map(([service, region, name]) => {
          const index = hops.findIndex(
            (span, at) =>
              at >= from &&
              span.name === name &&
              span.region === region &&
              (service === undefined || span.service === service),
          );
          if (index < 0)
            throw new Error(
              `no ${name} of ${service ?? 'a service'} in ${region} on the path: ${describePath(hops)}`,
            );
          from = index + 1;
          return hops[index]!;
        });
        const [request, answer, pushedEvent, replicated, completed, notified] = found;
        // each hop across a process is the child of the span that sent it
        expect(request!.parentSpanId).toBe(put.spanId);
        expect(answer!.parentSpanId).toBe(request!.spanId);
        expect(replicated!.parentSpanId).toBe(pushedEvent!.spanId);
        expect(notified!.parentSpanId).toBe(completed!.spanId);
        // the scan in us-east takes the same event, in the same trace
        expect(trace).toContainEqual(
          expect.objectContaining({
            service: 'meridian-scan',
            region: 'us-east',
            name: 'meridian.us-east.evt.manifest.pushed.v1 process',
            parentSpanId: pushedEvent!.spanId,
          }),
        );
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
  });
});

/** spans that cross a process or leave one: requests, answers, events, deliveries */
const hop = / (request|answer|publish|process)$|^webhook deliver$/;

function describePath(spans: CollectedSpan[]): string {
  return spans.map((span) => `${span.region}/${span.service}: ${span.name}`).join(' > ');
}

function only<T>(items: T[]): T {
  expect(items).toHaveLength(1);
  return items[0] as T;
}
