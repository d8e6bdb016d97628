#!/usr/bin/env node
// Where a request's time goes, from Meridian's own traces: an OTLP/HTTP (JSON) receiver that
// keeps every span the services export, and on SIGINT prints, per kind of request (the
// gateway's server span, e.g. `PUT /v2/{name}/blobs/uploads/{session}`), the median and p90
// of the request, of each RPC it made (the client's span), of the answer to it (the service's
// span), of the transport between the two (request − answer), of the gateway's own time
// outside its RPCs, and of each step of the answers (queries, transactions, store calls).
//
//   npm run bench:spans [-- --port 4318]   # then, in another shell:
//   OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 OTEL_BSP_SCHEDULE_DELAY=200 npm start
//   # run the workload; stop Meridian (its last spans are exported as it stops); Ctrl-C here
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string', default: '4318' } } });
const spans = [];

function attribute(list, key) {
  const found = (list ?? []).find((entry) => entry.key === key);
  return found && Object.values(found.value)[0];
}

function keep(body) {
  for (const resourceSpans of body.resourceSpans ?? []) {
    const attributes = resourceSpans.resource?.attributes;
    const service = `${attribute(attributes, 'meridian.region')}/${attribute(attributes, 'service.name')}`;
    for (const scope of resourceSpans.scopeSpans ?? []) {
      for (const span of scope.spans ?? []) {
        spans.push({
          service,
          name: span.name,
          id: span.spanId,
          parent: span.parentSpanId || undefined,
          ms: Number(BigInt(span.endTimeUnixNano) - BigInt(span.startTimeUnixNano)) / 1e6,
        });
      }
    }
  }
}

function summary() {
  const byParent = new Map();
  for (const span of spans) {
    if (!span.parent) continue;
    const children = byParent.get(span.parent) ?? [];
    children.push(span);
    byParent.set(span.parent, children);
  }
  const kinds = new Map();
  const add = (kind, label, ms) => {
    const samples = kinds.get(kind) ?? new Map();
    samples.set(label, [...(samples.get(label) ?? []), ms]);
    kinds.set(kind, samples);
  };
  for (const root of spans.filter((span) => !span.parent && span.service.endsWith('gateway'))) {
    const calls = (byParent.get(root.id) ?? []).filter((span) => span.name.endsWith(' request'));
    add(root.name, 'request', root.ms);
    add(
      root.name,
      '  gateway, outside its RPCs',
      root.ms - calls.reduce((sum, call) => sum + call.ms, 0),
    );
    for (const call of calls) {
      add(root.name, call.name, call.ms);
      for (const answer of (byParent.get(call.id) ?? []).filter((s) =>
        s.name.endsWith(' answer'),
      )) {
        add(root.name, `${answer.name} (${answer.service})`, answer.ms);
        add(root.name, `  transport of ${call.name.replace(/ request$/, '')}`, call.ms - answer.ms);
        for (const step of byParent.get(answer.id) ?? []) {
          // the events an answer's transaction set off run after it, in other services
          if (step.service === answer.service) add(root.name, `  ${step.name}`, step.ms);
        }
      }
    }
  }
  const percentile = (sorted, p) =>
    sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
  for (const [kind, samples] of kinds) {
    console.log(`\n${kind}  (${samples.get('request').length} requests; ms: p50 p90 count)`);
    for (const [label, values] of samples) {
      const sorted = [...values].sort((a, b) => a - b);
      const p50 = percentile(sorted, 50).toFixed(2);
      const p90 = percentile(sorted, 90).toFixed(2);
      console.log(
        `  ${label.padEnd(60)} ${p50.padStart(8)} ${p90.padStart(8)} ${String(sorted.length).padStart(6)}`,
      );
    }
  }
}

createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    try {
      keep(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    } catch (error) {
      console.error(`bench:spans: not OTLP/JSON (${error.message})`);
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{}');
  });
}).listen(Number(values.port), '127.0.0.1', () =>
  console.error(
    `bench:spans: receiving OTLP/JSON on http://127.0.0.1:${values.port}; Ctrl-C to summarise`,
  ),
);

process.on('SIGINT', () => {
  summary();
  process.exit(0);
});
