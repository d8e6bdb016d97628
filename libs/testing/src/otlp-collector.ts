/**
 * A stand-in OpenTelemetry collector for tests: an HTTP server that takes what the OTLP
 * HTTP/JSON exporters of child processes send to `/v1/traces` and keeps the spans, so a
 * test can follow one trace from the gateway into the services it calls, in every region.
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CollectedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** `service.name` of the process that sent it */
  service: string;
  /** `meridian.region` of the process that sent it */
  region?: string;
}

interface OtlpTraces {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value: { stringValue?: string } }[] };
    scopeSpans?: { spans?: Omit<CollectedSpan, 'service' | 'region'>[] }[];
  }[];
}

export class OtlpCollector {
  readonly spans: CollectedSpan[] = [];

  private constructor(private readonly server: Server) {}

  static async start(): Promise<OtlpCollector> {
    const server = createServer();
    const collector = new OtlpCollector(server);
    server.on('request', (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (request.url === '/v1/traces') collector.take(Buffer.concat(chunks).toString());
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return collector;
  }

  /** what OTEL_EXPORTER_OTLP_ENDPOINT should say */
  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private take(body: string): void {
    const traces = JSON.parse(body) as OtlpTraces;
    for (const resourceSpans of traces.resourceSpans ?? []) {
      const attributes = resourceSpans.resource?.attributes ?? [];
      const attribute = (key: string) =>
        attributes.find((candidate) => candidate.key === key)?.value.stringValue;
      const service = attribute('service.name') ?? 'unknown';
      const region = attribute('meridian.region');
      for (const scope of resourceSpans.scopeSpans ?? []) {
        for (const span of scope.spans ?? []) {
          this.spans.push({
            traceId: span.traceId,
            spanId: span.spanId,
            parentSpanId: span.parentSpanId || undefined,
            name: span.name,
            service,
            ...(region === undefined ? {} : { region }),
          });
        }
      }
    }
  }
}
