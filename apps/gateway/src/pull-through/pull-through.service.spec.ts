import { type CacheRuleView, RegistryError, type RpcDefinition } from '@meridian/contracts';
import type { RpcClient } from '@meridian/messaging';
import { ImportFailure } from '@meridian/outbound';
import { sha256Digest } from '@meridian/oci';
import { createLogger, metrics } from '@meridian/telemetry';
import { CacheTargets, type CacheUpstream } from './cache-targets';
import { PullThrough } from './pull-through.service';

const manifest = (layer: string) =>
  Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: sha256Digest(Buffer.from('{}')),
        size: 2,
      },
      layers: [
        {
          mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
          digest: sha256Digest(Buffer.from(layer)),
          size: layer.length,
        },
      ],
    }),
  );

const rule: CacheRuleView = {
  name: 'hub',
  source: 'r.example/library/*',
  target: 'hub/library/*',
  tagTtl: '1h',
  tagTtlSeconds: 3600,
  createdTime: new Date(0).toISOString(),
  updatedTime: new Date(0).toISOString(),
};

/** The upstream as the fake client serves it: one tag, movable; down when `failure` is set. */
class FakeUpstream {
  body = manifest('v1');
  failure?: Error;
  heads = 0;

  readonly client = {
    manifestHead: async () => {
      this.heads += 1;
      if (this.failure) throw this.failure;
      return { digest: sha256Digest(this.body) };
    },
    manifest: async () => {
      if (this.failure) throw this.failure;
      return {
        body: this.body,
        contentType: 'application/vnd.oci.image.manifest.v1+json',
        digest: sha256Digest(this.body),
      };
    },
  };
}

function pullThrough(upstream: FakeUpstream, stored: unknown[]): PullThrough {
  const targets = {
    // the real rule of misses, over the fake's rules
    coversMiss: CacheTargets.prototype.coversMiss,
    ruleFor: async (repository: string) =>
      repository.startsWith('hub/library/') ? rule : undefined,
    upstream: async () =>
      ({
        rule,
        registry: 'r.example',
        repository: 'library/tool',
        client: upstream.client,
      }) as unknown as CacheUpstream,
  } as unknown as CacheTargets;
  const rpc = {
    async request(_definition: RpcDefinition, request: unknown) {
      stored.push(request);
      return { id: '00000000-0000-4000-8000-000000000000' };
    },
  } as unknown as RpcClient;
  const logger = createLogger({ service: 'gateway-test', region: 'us-east', level: 'silent' });
  return new PullThrough(
    rpc,
    targets,
    { insecureUpstreams: [], allowedUpstreams: [], upstreamTimeoutMs: 1000, storeDelayMs: 0 },
    logger,
  );
}

const context = { requestId: 'req-1' } as never;

describe(PullThrough.name, () => {
  it('fetches a miss of a cache target, checks its digest and stores it once', async () => {
    const upstream = new FakeUpstream();
    const stored: unknown[] = [];
    const sut = pullThrough(upstream, stored);
    const miss = new RegistryError('UNAVAILABLE', 'the manifest service did not answer');
    const registryMiss = new RegistryError('MANIFEST_UNKNOWN', 'manifest unknown');
    const fetched = await sut.manifestAfterMiss(
      registryMiss,
      { repository: 'hub/library/tool', reference: 'v1' },
      context,
    );
    expect(fetched.digest).toBe(sha256Digest(upstream.body));
    await sut.manifestAfterMiss(
      registryMiss,
      { repository: 'hub/library/tool', reference: 'v1' },
      context,
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(stored).toEqual([
      { repository: 'hub/library/tool', digest: fetched.digest, tag: 'v1', delayMs: 0 },
    ]);
    // not a cache target, or not a miss: the original error stands
    await expect(
      sut.manifestAfterMiss(registryMiss, { repository: 'team/app', reference: 'v1' }, context),
    ).rejects.toBe(registryMiss);
    await expect(
      sut.manifestAfterMiss(miss, { repository: 'hub/library/tool', reference: 'v1' }, context),
    ).rejects.toBe(miss);
  });

  it('checks a cached tag upstream only after its TTL, and serves a moved one', async () => {
    const upstream = new FakeUpstream();
    const stored: unknown[] = [];
    const sut = pullThrough(upstream, stored);
    const cached = sha256Digest(upstream.body);
    const request = { repository: 'hub/library/tool', tag: 'v1', digest: cached };

    // never checked by this process: checked now, unchanged
    await expect(sut.recheckTag(request, context)).resolves.toBeUndefined();
    expect(upstream.heads).toBe(1);
    // within the TTL: not asked again
    upstream.body = manifest('v2');
    await expect(sut.recheckTag(request, context)).resolves.toBeUndefined();
    expect(upstream.heads).toBe(1);

    jest.useFakeTimers({ now: Date.now() + 3600_000, doNotFake: ['setImmediate', 'nextTick'] });
    try {
      const moved = await sut.recheckTag(request, context);
      expect(moved?.digest).toBe(sha256Digest(upstream.body));
      expect(stored).toEqual([
        expect.objectContaining({
          repository: 'hub/library/tool',
          tag: 'v1',
          digest: moved?.digest,
        }),
      ]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('serves the cached copy when the upstream fails, and counts the failure', async () => {
    const upstream = new FakeUpstream();
    upstream.failure = new ImportFailure('UPSTREAM_RATE_LIMITED', 'HTTP 429', true);
    const sut = pullThrough(upstream, []);
    await expect(
      sut.recheckTag(
        { repository: 'hub/library/tool', tag: 'v1', digest: sha256Digest(upstream.body) },
        context,
      ),
    ).resolves.toBeUndefined();
    expect(await metrics().renderPrometheus()).toMatch(
      /meridian_cache_upstream_failures_total\{[^}]*rule="hub"[^}]*reason="rate_limited"[^}]*\} 1/,
    );
  });

  it('refuses an upstream manifest that does not hash to its digest', async () => {
    const upstream = new FakeUpstream();
    upstream.client.manifest = async () => ({
      body: upstream.body,
      contentType: 'application/vnd.oci.image.manifest.v1+json',
      digest: sha256Digest(Buffer.from('something else')),
    });
    const stored: unknown[] = [];
    const sut = pullThrough(upstream, stored);
    await expect(
      sut.manifestAfterMiss(
        new RegistryError('MANIFEST_UNKNOWN', 'manifest unknown'),
        { repository: 'hub/library/tool', reference: 'v1' },
        context,
      ),
    ).rejects.toMatchObject({ code: 'UNAVAILABLE', detail: { reason: 'digest_mismatch' } });
    expect(stored).toEqual([]);
  });
});
