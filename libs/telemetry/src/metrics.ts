/**
 * Metrics: every Meridian figure is an OpenTelemetry instrument named `meridian_*` in one
 * registry per process. The registry is read in the Prometheus text format (`/metrics`)
 * and, when OTEL_EXPORTER_OTLP_ENDPOINT is set, pushed over OTLP as well.
 *
 * Services record into the instruments here (HTTP requests, bytes, NATS and database
 * errors, webhook deliveries, scan durations, blobs scrubbed and repaired); figures a service already keeps (open upload
 * sessions, replication lag and backlog per peer) are observed from it at scrape time.
 */
import type { Attributes, Counter, Histogram, Meter } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  MeterProvider,
  type MetricReader,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

export const prometheusContentType = 'text/plain; version=0.0.4; charset=utf-8';

/** Buckets for request and scan durations, in seconds: 1 ms to 1 min. */
const durationBuckets = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];

/**
 * One peer region's replication figures, as the replication service computes them (the
 * regions API's, under the names the gateway's `/api/v1/replication/metrics` gives them).
 */
export interface PeerReplicationFigures {
  peer: string;
  connected: boolean;
  eventsPending?: number;
  /** the replication lag: age of the oldest event of the peer not yet applied here */
  oldestPendingAgeSeconds?: number;
  copyBytesPerSecond?: number;
  /** when replication from the peer last failed, Unix seconds */
  lastErrorTimestampSeconds?: number;
}

const replicationGauges = [
  {
    name: 'meridian_replication_peer_connected',
    description: "1 when this region reaches the peer region's NATS, else 0.",
    value: (peer: PeerReplicationFigures) => (peer.connected ? 1 : 0),
  },
  {
    name: 'meridian_replication_events_pending',
    description: 'Events of the peer region not yet applied in this region.',
    value: (peer: PeerReplicationFigures) => peer.eventsPending,
  },
  {
    name: 'meridian_replication_oldest_pending_age_seconds',
    description:
      'Replication lag: age of the oldest event of the peer region not yet applied here.',
    value: (peer: PeerReplicationFigures) => peer.oldestPendingAgeSeconds,
  },
  {
    name: 'meridian_replication_copy_bytes_per_second',
    description: "Blob bytes copied from the peer region's store per second, over the last minute.",
    value: (peer: PeerReplicationFigures) => peer.copyBytesPerSecond,
  },
  {
    name: 'meridian_replication_last_error_timestamp_seconds',
    description: 'When replication from the peer region last failed (Unix time).',
    value: (peer: PeerReplicationFigures) => peer.lastErrorTimestampSeconds,
  },
] as const;

export class MeridianMetrics {
  readonly httpRequests: Counter;
  readonly httpRequestDuration: Histogram;
  readonly httpBytesReceived: Counter;
  readonly httpBytesSent: Counter;
  readonly natsErrors: Counter;
  readonly databaseErrors: Counter;
  readonly webhookDeliveries: Counter;
  readonly scanDuration: Histogram;
  readonly gcReclaimedBytes: Counter;
  readonly gcDuration: Histogram;
  readonly gcErrors: Counter;
  readonly cacheUpstreamFailures: Counter;
  readonly scrubBlobs: Counter;
  readonly scrubBytes: Counter;
  readonly scrubRepairs: Counter;
  readonly replicationRepairs: Counter;

  private readonly prometheus: PrometheusExporter;
  /** without the `otel_scope_name` label: every instrument here has the one scope */
  private readonly serializer = new PrometheusSerializer(undefined, false, undefined, false, true);
  private readonly provider: MeterProvider;
  private readonly meter: Meter;

  constructor(options: { service: string; region: string; env?: NodeJS.ProcessEnv }) {
    const env = options.env ?? process.env;
    this.prometheus = new PrometheusExporter({ preventServerStart: true });
    const readers: MetricReader[] = [this.prometheus];
    if (env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT) {
      readers.push(new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter() }));
    }
    this.provider = new MeterProvider({
      resource: resourceFromAttributes({
        [ATTR_SERVICE_NAME]: env.OTEL_SERVICE_NAME ?? `meridian-${options.service}`,
        'meridian.region': options.region,
      }),
      readers,
      views: [],
    });
    this.meter = this.provider.getMeter('meridian');
    const meter = this.meter;
    this.httpRequests = meter.createCounter('meridian_http_requests', {
      description: 'HTTP requests answered, by method, route and status.',
    });
    this.httpRequestDuration = meter.createHistogram('meridian_http_request_duration_seconds', {
      description: 'Time from request to response, by method, route and status.',
      unit: 's',
      advice: { explicitBucketBoundaries: durationBuckets },
    });
    this.httpBytesReceived = meter.createCounter('meridian_http_received_bytes', {
      description: 'Bytes received from clients, by route.',
      unit: 'By',
    });
    this.httpBytesSent = meter.createCounter('meridian_http_sent_bytes', {
      description: 'Bytes sent to clients, by route.',
      unit: 'By',
    });
    this.natsErrors = meter.createCounter('meridian_nats_errors', {
      description: 'NATS requests and publishes that failed, by operation.',
    });
    this.databaseErrors = meter.createCounter('meridian_database_errors', {
      description: 'Database operations that failed, by operation.',
    });
    this.webhookDeliveries = meter.createCounter('meridian_webhook_deliveries', {
      description: 'Webhook delivery attempts, by outcome (delivered, failed, gave_up).',
    });
    this.scanDuration = meter.createHistogram('meridian_scan_duration_seconds', {
      description: 'Time to scan one image, by outcome.',
      unit: 's',
      advice: { explicitBucketBoundaries: durationBuckets },
    });
    this.scrubBlobs = meter.createCounter('meridian_scrub_blobs', {
      description: 'Blobs a scrub re-read and checked, by result (ok, corrupt, missing).',
    });
    this.scrubBytes = meter.createCounter('meridian_scrub_bytes', {
      description: 'Blob bytes a scrub re-read and hashed.',
      unit: 'By',
    });
    this.scrubRepairs = meter.createCounter('meridian_scrub_repairs', {
      description:
        'Corrupt or missing blobs a scrub had copied from a peer, by outcome (repaired, unrepairable).',
    });
    this.replicationRepairs = meter.createCounter('meridian_replication_repairs', {
      description:
        'Divergences from a peer region anti-entropy repaired in this region, by peer and kind (manifest, tag, manifest-delete, tag-delete, repository-delete, lock, setting).',
    });
    this.gcReclaimedBytes = meter.createCounter('meridian_gc_reclaimed_bytes', {
      description: "Bytes garbage collection freed from the region's store.",
      unit: 'By',
    });
    this.gcDuration = meter.createHistogram('meridian_gc_duration_seconds', {
      description: 'Time one garbage collection took, by outcome and dry run.',
      unit: 's',
      advice: { explicitBucketBoundaries: [0.1, 1, 10, 60, 300, 1800, 3600, 14400] },
    });
    this.gcErrors = meter.createCounter('meridian_gc_errors', {
      description: 'Garbage collection steps that failed (a batch, freeing one blob).',
    });
    this.cacheUpstreamFailures = meter.createCounter('meridian_cache_upstream_failures', {
      description:
        'Pulls through a cache rule whose upstream failed (down, timed out, 429, 5xx, refused), by rule and reason.',
    });
  }

  /**
   * Reports the bytes garbage collection would free now: blobs no repository sees any more
   * (their last link went) and blobs doomed whose bytes are not freed yet.
   */
  observeGcReclaimable(bytes: () => Promise<number>): void {
    this.meter
      .createObservableGauge('meridian_gc_reclaimable_bytes', {
        description: 'Bytes of blobs nothing references, not yet freed.',
        unit: 'By',
      })
      .addCallback(async (result) => result.observe(await bytes()));
  }

  /**
   * Reports replication lag and backlog per peer, read from `figures` whenever the
   * registry is collected (a scrape, an OTLP export).
   */
  observeReplication(
    figures: () => Promise<{ region: string; peers: PeerReplicationFigures[] }>,
  ): void {
    const gauges = replicationGauges.map((gauge) => ({
      gauge,
      instrument: this.meter.createObservableGauge(gauge.name, {
        description: gauge.description,
      }),
    }));
    this.meter.addBatchObservableCallback(
      async (result) => {
        const { region, peers } = await figures();
        for (const peer of peers) {
          const attributes: Attributes = { region, peer: peer.peer };
          for (const { gauge, instrument } of gauges) {
            const value = gauge.value(peer);
            if (value !== undefined) result.observe(instrument, value, attributes);
          }
        }
      },
      gauges.map(({ instrument }) => instrument),
    );
  }

  /** Reports the region's open blob upload sessions, counted whenever the registry is read. */
  observeUploadSessions(count: () => Promise<number>): void {
    this.meter
      .createObservableGauge('meridian_upload_sessions', {
        description: 'Blob upload sessions open in this region.',
      })
      .addCallback(async (result) => result.observe(await count()));
  }

  /** The registry in the Prometheus text exposition format. */
  async renderPrometheus(): Promise<string> {
    const { resourceMetrics } = await this.prometheus.collect();
    return this.serializer.serialize(resourceMetrics);
  }

  async shutdown(): Promise<void> {
    await this.provider.shutdown();
  }
}

let processMetrics: MeridianMetrics | undefined;

/**
 * The process's registry. `bootstrapService` creates it with the service's name; code that
 * records before (or without) it, such as a library under test, gets an unnamed one.
 */
export function metrics(): MeridianMetrics {
  processMetrics ??= new MeridianMetrics({ service: 'unnamed', region: 'unknown' });
  return processMetrics;
}

/** Names the process's registry after its service; call once, first thing. */
export function startMetrics(options: { service: string; region: string }): MeridianMetrics {
  processMetrics = new MeridianMetrics(options);
  return processMetrics;
}
