/**
 * Liveness, readiness and metrics for operators and orchestrators:
 * - `GET /livez`   200 while the process runs its event loop;
 * - `GET /readyz`  200 when every readiness probe (NATS, database, store) answers within a
 *   couple of seconds and the service is not shutting down, else 503 naming what failed;
 * - `GET /metrics` the process's registry in the Prometheus text format.
 * Services without HTTP serve them on MERIDIAN_HEALTH_PORT (`startHealthServer`); the
 * gateway answers the same paths on its own port through `answerHealthRequest`.
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type MeridianMetrics, metrics, prometheusContentType } from './metrics';

/** Something a service needs to do its work, and a cheap way to see it answers. */
export interface ReadinessProbe {
  readonly dependency: string;
  check(): Promise<void>;
}

const readinessProbeMark = Symbol.for('meridian.readinessProbe');

/** Marks an object (a Nest provider) as a readiness probe `bootstrapService` should find. */
export function markReadinessProbe<T extends ReadinessProbe>(probe: T): T {
  Object.defineProperty(probe, readinessProbeMark, { value: true });
  return probe;
}

export function isReadinessProbe(value: unknown): value is ReadinessProbe {
  return typeof value === 'object' && value !== null && readinessProbeMark in value;
}

export interface HealthResponse {
  status: number;
  contentType: string;
  body: string;
}

const probeTimeoutMs = 2_000;

export class HealthEndpoints {
  private stopping = false;

  constructor(
    private readonly probes: readonly ReadinessProbe[],
    private readonly registry: MeridianMetrics = metrics(),
  ) {}

  /** From now on `/readyz` says 503, so load balancers stop sending new work. */
  markStopping(): void {
    this.stopping = true;
  }

  /** The answer for a health path, or undefined for any other path. */
  async answer(path: string): Promise<HealthResponse | undefined> {
    switch (path.split('?')[0]) {
      case '/livez':
        return json(200, { status: 'ok' });
      case '/readyz':
        return this.readiness();
      case '/metrics':
        return {
          status: 200,
          contentType: prometheusContentType,
          body: await this.registry.renderPrometheus(),
        };
      default:
        return undefined;
    }
  }

  private async readiness(): Promise<HealthResponse> {
    if (this.stopping) return json(503, { status: 'stopping' });
    const results = await Promise.all(
      this.probes.map(async (probe) => ({
        dependency: probe.dependency,
        error: await checkWithin(probe, probeTimeoutMs),
      })),
    );
    const failed = results.filter((result) => result.error !== undefined);
    const checks = Object.fromEntries(
      results.map((result) => [result.dependency, result.error ?? 'ok']),
    );
    return json(failed.length === 0 ? 200 : 503, {
      status: failed.length === 0 ? 'ready' : 'unavailable',
      checks,
    });
  }
}

async function checkWithin(probe: ReadinessProbe, timeoutMs: number): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
  });
  try {
    return await Promise.race([
      probe.check().then(
        () => undefined,
        (err: unknown) => (err instanceof Error ? err.message : String(err)),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function json(status: number, body: unknown): HealthResponse {
  return { status, contentType: 'application/json', body: JSON.stringify(body) };
}

/** Serves the health paths on their own port; resolves once it listens. */
export async function startHealthServer(
  endpoints: HealthEndpoints,
  port: number,
  host = '0.0.0.0',
): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const answer = request.method === 'GET' ? endpoints.answer(request.url ?? '/') : undefined;
    void Promise.resolve(answer).then(
      (result) => {
        const { status, contentType, body } = result ?? json(404, { status: 'not found' });
        response.writeHead(status, { 'content-type': contentType }).end(body);
      },
      () => response.writeHead(500).end(),
    );
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
