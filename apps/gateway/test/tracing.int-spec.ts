/**
 * One push is one trace: the gateway's HTTP span, its NATS request to the manifest
 * service, the manifest service's answer (in its own process), the blob service's answer
 * to the manifest service, and the event the manifest service's outbox publishes after
 * the commit, all with one trace id and each the child of the span that sent it. The gateway (this process) records into an in-memory exporter; the blob
 * and manifest services export over OTLP to a stand-in collector.
 */
import { maxUploadPutBytes } from '@meridian/contracts';
import { startTracing } from '@meridian/telemetry';
import { OtlpCollector, expectEventually } from '@meridian/testing';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { pushBlob, pushImage, randomBlob } from './oci-requests';
import { type RegistryUnderTest, startRegistry } from './registry.harness';

jest.setTimeout(120_000);

describe('tracing across gateway, NATS and services', () => {
  const gatewaySpans = new InMemorySpanExporter();
  let collector: OtlpCollector;
  let registry: RegistryUnderTest;
  let tracing: ReturnType<typeof startTracing>;

  beforeAll(async () => {
    tracing = startTracing({
      service: 'gateway',
      region: 'us-east',
      spanProcessors: [new SimpleSpanProcessor(gatewaySpans)],
    });
    collector = await OtlpCollector.start();
    // the services started as child processes inherit these
    process.env['OTEL_EXPORTER_OTLP_ENDPOINT'] = collector.endpoint;
    process.env['OTEL_BSP_SCHEDULE_DELAY'] = '50';
    try {
      registry = await startRegistry();
    } finally {
      delete process.env['OTEL_EXPORTER_OTLP_ENDPOINT'];
      delete process.env['OTEL_BSP_SCHEDULE_DELAY'];
    }
  });

  afterAll(async () => {
    await registry?.stop();
    await collector?.close();
    await tracing?.shutdown();
  });

  it('links the manifest PUT from the gateway through the manifest service to the blob service', async () => {
    await pushImage(registry, 'traced/app', 'v1');

    const finished = gatewaySpans.getFinishedSpans();
    const httpSpan = only(
      finished.filter((span) => span.name === 'PUT /v2/{name}/manifests/{reference}'),
    );
    const rpcSpan = only(
      finished.filter(
        (span) =>
          span.name.startsWith('manifest.') &&
          span.name.endsWith(' request') &&
          parentOf(span) === httpSpan.spanContext().spanId,
      ),
    );
    const traceId = httpSpan.spanContext().traceId;
    expect(rpcSpan.spanContext().traceId).toBe(traceId);
    // The layer went into the store inside the trace of the request that uploaded it: a
    // small layer's whole body is written by the blob service (`upload-put`), a larger one
    // is streamed into the store by the gateway itself.
    const layerUpload = finished.filter(
      (span) => span.name === 'PUT /v2/{name}/blobs/uploads/{session}',
    );
    const uploadTraces = new Set(layerUpload.map((span) => span.spanContext().traceId));
    await expectEventually(() => {
      expect(
        collector.spans.some(
          (span) =>
            span.service === 'meridian-blob' &&
            span.name === 'store.put' &&
            uploadTraces.has(span.traceId),
        ),
      ).toBe(true);
    });
    await pushBlob(registry, 'traced/app', randomBlob(maxUploadPutBytes + 1));
    const largeUploads = gatewaySpans
      .getFinishedSpans()
      .filter((span) => span.name === 'PUT /v2/{name}/blobs/uploads/{session}')
      .map((span) => span.spanContext().traceId)
      .filter((trace) => !uploadTraces.has(trace));
    expect(
      gatewaySpans
        .getFinishedSpans()
        .some(
          (span) =>
            span.name === 'store.appendUpload' && largeUploads.includes(span.spanContext().traceId),
        ),
    ).toBe(true);

    await expectEventually(() => {
      const answer = collector.spans.find(
        (span) => span.parentSpanId === rpcSpan.spanContext().spanId,
      );
      expect(answer).toMatchObject({
        traceId,
        service: 'meridian-manifest',
        name: rpcSpan.name.replace(/ request$/, ' answer'),
      });
      // the manifest service checks the referenced blobs with the blob service
      const blobAnswers = collector.spans.filter(
        (span) =>
          span.traceId === traceId &&
          span.service === 'meridian-blob' &&
          span.name.endsWith(' answer'),
      );
      expect(blobAnswers.length).toBeGreaterThan(0);
      for (const blobAnswer of blobAnswers) {
        const caller = collector.spans.find((span) => span.spanId === blobAnswer.parentSpanId);
        expect(caller).toMatchObject({ traceId, service: 'meridian-manifest' });
      }
      // the manifest service's database work is part of it
      expect(
        collector.spans.some(
          (span) =>
            span.traceId === traceId &&
            span.service === 'meridian-manifest' &&
            span.name.startsWith('db.'),
        ),
      ).toBe(true);
      // the outbox relay publishes the push's event later, still in the push's trace
      expect(collector.spans).toContainEqual(
        expect.objectContaining({
          traceId,
          service: 'meridian-manifest',
          name: 'meridian.us-east.evt.manifest.pushed.v1 publish',
        }),
      );
    });
  });

  it('keeps separate requests in separate traces', async () => {
    await registry.request('/v2/traced/app/manifests/v1');
    await registry.request('/v2/traced/app/tags/list');
    const traceIds = gatewaySpans
      .getFinishedSpans()
      .filter((span) => span.name.startsWith('GET '))
      .map((span) => span.spanContext().traceId);
    expect(new Set(traceIds).size).toBe(traceIds.length);
  });
});

function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}

function only<T>(items: T[]): T {
  expect(items).toHaveLength(1);
  return items[0] as T;
}
