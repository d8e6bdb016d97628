/**
 * The gateway's health and metrics paths: `/livez` and `/readyz` answered without a token on
 * the registry's port (outside `/v2` and `/api/v1`) and on the health port, readiness from
 * the region's NATS and store; `/metrics` only on the health port, counting requests by
 * route template, never by repository. `GET /v2/` stays the registry's, with its token
 * challenge.
 */
import { pushImage } from './oci-requests';
import { type RegistryUnderTest, startRegistry } from './registry.harness';

jest.setTimeout(120_000);

describe('gateway health and metrics', () => {
  let registry: RegistryUnderTest;

  beforeAll(async () => {
    registry = await startRegistry();
  });

  afterAll(async () => {
    await registry?.stop();
  });

  it('is live and ready without credentials, with NATS and the store answering', async () => {
    const live = await registry.anonymousRequest('/livez');
    expect(live.status).toBe(200);

    const ready = await registry.anonymousRequest('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      checks: { nats: 'ok', store: 'ok' },
    });
  });

  it('answers the probes on the health port too', async () => {
    expect((await fetch(`${registry.healthUrl}/livez`)).status).toBe(200);
    const ready = await fetch(`${registry.healthUrl}/readyz`);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
  });

  it('keeps /metrics off the registry port, which the public reaches', async () => {
    const response = await registry.anonymousRequest('/metrics');
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('meridian_http_requests_total');
  });

  it('leaves GET /v2/ to the registry and its token challenge', async () => {
    const response = await registry.anonymousRequest('/v2/');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm=/);
  });

  it('counts requests by method, route template and status, with no repository names', async () => {
    await pushImage(registry, 'health/app', 'v1');
    await registry.request('/v2/health/app/manifests/v1');

    const response = await fetch(`${registry.healthUrl}/metrics`);
    expect(response.status).toBe(200);
    const body = await response.text();
    expect(body).toMatch(
      /^meridian_http_requests_total\{method="GET",route="\/v2\/\{name\}\/manifests\/\{reference\}",status="200"\} 1$/m,
    );
    expect(body).toMatch(
      /^meridian_http_requests_total\{method="PUT",route="\/v2\/\{name\}\/manifests\/\{reference\}",status="201"\} 1$/m,
    );
    expect(body).toMatch(
      /^meridian_http_request_duration_seconds_count\{method="GET",route="\/v2\/\{name\}\/manifests\/\{reference\}",status="200"\} 1$/m,
    );
    // the layer (2048 bytes) and the config went up in the PUTs that closed their sessions
    const received =
      /^meridian_http_received_bytes_total\{route="\/v2\/\{name\}\/blobs\/uploads\/\{session\}"\} (\d+)$/m.exec(
        body,
      );
    expect(Number(received?.[1])).toBeGreaterThan(2048);
    expect(body).not.toContain('health/app');
  });
});
