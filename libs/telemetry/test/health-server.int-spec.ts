/**
 * The health server a service without HTTP runs on MERIDIAN_HEALTH_PORT: liveness always,
 * readiness from its probes (and not while stopping), and the metrics registry in the
 * Prometheus format, replication lag per peer included.
 */
import { HealthEndpoints, MeridianMetrics, markReadinessProbe, startHealthServer } from '../src';

describe('health server', () => {
  const registry = new MeridianMetrics({ service: 'replication', region: 'us-east', env: {} });
  let natsUp = true;
  const probes = [
    markReadinessProbe({
      dependency: 'nats',
      check: async () => {
        if (!natsUp) throw new Error('connection closed');
      },
    }),
    markReadinessProbe({ dependency: 'database', check: async () => undefined }),
  ];
  const endpoints = new HealthEndpoints(probes, registry);
  let server: Awaited<ReturnType<typeof startHealthServer>>;
  const get = (path: string) => fetch(`http://127.0.0.1:${server.port}${path}`);

  beforeAll(async () => {
    registry.observeReplication(async () => ({
      region: 'us-east',
      peers: [
        { peer: 'eu-west', connected: true, eventsPending: 3, oldestPendingAgeSeconds: 12.5 },
        { peer: 'ap-south', connected: false },
      ],
    }));
    server = await startHealthServer(endpoints, 0, '127.0.0.1');
  });

  afterAll(async () => {
    await server.close();
    await registry.shutdown();
  });

  it('is live', async () => {
    const response = await get('/livez');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('is ready while every dependency answers, and names the one that does not', async () => {
    const ready = await get('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      checks: { nats: 'ok', database: 'ok' },
    });

    natsUp = false;
    const unready = await get('/readyz');
    natsUp = true;
    expect(unready.status).toBe(503);
    expect(await unready.json()).toEqual({
      status: 'unavailable',
      checks: { nats: 'connection closed', database: 'ok' },
    });
  });

  it('serves replication lag, backlog and reachability per peer at /metrics', async () => {
    registry.httpRequests.add(1, { method: 'GET', route: '/v2/', status: 200 });
    const response = await get('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const body = await response.text();
    expect(body).toMatch(
      /^meridian_replication_oldest_pending_age_seconds\{region="us-east",peer="eu-west"\} 12\.5$/m,
    );
    expect(body).toMatch(
      /^meridian_replication_events_pending\{region="us-east",peer="eu-west"\} 3$/m,
    );
    expect(body).toMatch(
      /^meridian_replication_peer_connected\{region="us-east",peer="ap-south"\} 0$/m,
    );
    expect(body).toMatch(
      /^meridian_http_requests_total\{method="GET",route="\/v2\/",status="200"\} 1$/m,
    );
  });

  it('answers 404 elsewhere', async () => {
    expect((await get('/v2/')).status).toBe(404);
  });

  it('is not ready once stopping', async () => {
    endpoints.markStopping();
    const response = await get('/readyz');
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: 'stopping' });
  });
});
