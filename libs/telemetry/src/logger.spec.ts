import { Writable } from 'node:stream';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createLogger } from './logger';
import { inSpan, startTracing } from './tracing';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { lines, destination };
}

describe(createLogger.name, () => {
  it('stamps service and region on every line', () => {
    const { lines, destination } = capture();
    const sut = createLogger({ service: 'blob', region: 'us-east', destination });
    sut.info({ digest: 'sha256:ab' }, 'blob uploaded');
    expect(lines[0]).toMatchObject({
      service: 'blob',
      region: 'us-east',
      digest: 'sha256:ab',
      msg: 'blob uploaded',
      level: 'info',
    });
  });

  it('redacts values of secret-named keys, also nested', () => {
    const { lines, destination } = capture();
    const sut = createLogger({ service: 'auth', region: 'us-east', destination });
    sut.info(
      { adminPassword: 'hunter2', s3: { secretAccessKey: 'abc', bucket: 'b' }, refresh_token: 'x' },
      'config loaded',
    );
    expect(lines[0]).toMatchObject({
      adminPassword: '[redacted]',
      s3: { secretAccessKey: '[redacted]', bucket: 'b' },
      refresh_token: '[redacted]',
    });
    expect(JSON.stringify(lines[0])).not.toContain('hunter2');
  });
});

describe('trace ids in log lines', () => {
  const spans = new InMemorySpanExporter();
  const tracing = startTracing({
    service: 'manifest',
    region: 'us-east',
    spanProcessors: [new SimpleSpanProcessor(spans)],
  });

  afterAll(() => tracing?.shutdown());

  it('carries the trace id of the span a line is written in, and none outside spans', async () => {
    const { lines, destination } = capture();
    const sut = createLogger({ service: 'manifest', region: 'us-east', destination });

    const traceId = await inSpan('manifest.put answer', {}, async (span) => {
      sut.info('manifest pushed');
      return span.spanContext().traceId;
    });
    sut.info('idle');

    expect(lines[0]).toMatchObject({ msg: 'manifest pushed', traceId });
    expect(lines[1]).not.toHaveProperty('traceId');
  });
});
