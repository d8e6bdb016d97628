/**
 * The pull-through cache against the default two-region Meridian, with CNCF distribution as
 * the upstream behind a counting proxy (it counts the blob GETs the upstream served, and can
 * go down). A rule made with the `meridian` CLI turns `hub/library/*` of us-east into a cache
 * of the upstream's `library/*`: skopeo pulls through it with the upstream's digest, each
 * blob is fetched from the upstream once (the import that keeps the image mounts what the
 * pull stored), and the image is then an ordinary one, replicated to eu-west. Concurrent
 * pulls of a missing blob fetch it once; a corrupted upstream blob is refused with nothing
 * kept under the target; with the upstream down, a cached tag past its TTL is still served
 * and an uncached one fails naming the upstream. The operator lists the loopback upstream
 * (MERIDIAN_INSECURE_UPSTREAMS, MERIDIAN_UPSTREAM_ALLOWED_HOSTS): nothing allows it by default.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DistributionRegistry,
  type OciLayoutImage,
  buildOciImage,
  expectEventually,
  runCommand,
} from '@meridian/testing';
import { type GeoMeridian, type GeoRegionId, startGeoMeridian } from './support/geo-meridian';
import { MeridianCli, buildCli } from './support/meridian-cli';

/** A proxy in front of the upstream that counts the blob GETs it passes on, and can stop. */
class CountingProxy {
  readonly blobGets = new Map<string, number>();
  private readonly server: http.Server;

  private constructor(private readonly upstreamPort: number) {
    this.server = http.createServer((request, response) => {
      const blob = /\/blobs\/(sha256:[0-9a-f]{64})$/.exec(request.url ?? '');
      if (blob && request.method === 'GET')
        this.blobGets.set(blob[1]!, (this.blobGets.get(blob[1]!) ?? 0) + 1);
      const forwarded = http.request(
        {
          host: '127.0.0.1',
          port: this.upstreamPort,
          path: request.url,
          method: request.method,
          headers: request.headers,
        },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      forwarded.on('error', () => response.destroy());
      request.pipe(forwarded);
    });
  }

  static async start(upstreamPort: number): Promise<CountingProxy> {
    const proxy = new CountingProxy(upstreamPort);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get host(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The upstream goes away: connections are refused from now on. */
  async stop(): Promise<void> {
    if (!this.server.listening) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const tagTtlSeconds = 2;

describe('the pull-through cache', () => {
  let work: string;
  let upstream: DistributionRegistry;
  let proxy: CountingProxy;
  let meridian: GeoMeridian;
  let cli: MeridianCli;
  let tool: OciLayoutImage;

  async function pushUpstream(name: string, layers: Array<Record<string, string>>) {
    const image = await buildOciImage(join(work, name), {
      tag: '1.0',
      layers: layers.map((files) => ({ files })),
    });
    await runCommand('skopeo', [
      '--insecure-policy',
      'copy',
      '--dest-tls-verify=false',
      image.reference,
      `docker://${upstream.host}/library/${name}:1.0`,
    ]);
    return image;
  }

  beforeAll(async () => {
    buildCli();
    work = await mkdtemp(join(tmpdir(), 'meridian-e2e-cache-'));
    upstream = await DistributionRegistry.start();
    proxy = await CountingProxy.start(upstream.port);
    tool = await pushUpstream('tool', [
      { 'etc/tool.conf': 'cached\n'.repeat(4096) },
      { 'usr/bin/tool': 'binary\n'.repeat(8192) },
    ]);
    meridian = await startGeoMeridian('cache', () => ({
      MERIDIAN_INSECURE_UPSTREAMS: proxy.host,
      MERIDIAN_UPSTREAM_ALLOWED_HOSTS: '127.0.0.1',
      MERIDIAN_CACHE_STORE_DELAY_SECONDS: '2',
      MERIDIAN_IMPORT_ATTEMPTS: '1',
    }));
    cli = new MeridianCli(join(work, 'home'));
    await cli.prepare();
    const [, password] = meridian.creds.split(':');
    const login = await cli.run(
      ['login', meridian.regions['us-east'].host, '-u', 'admin', '--password-stdin'],
      { stdin: `${password}\n` },
    );
    expect(login.stderr).toContain('Login Succeeded');
  }, 420_000);

  afterAll(async () => {
    await meridian?.dispose();
    await proxy?.stop();
    await upstream?.dispose();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const registry = () => meridian.regions['us-east'].host;

  async function skopeo(...args: string[]): Promise<{ ok: boolean; out: string }> {
    try {
      const { stdout } = await runCommand('skopeo', ['--insecure-policy', ...args]);
      return { ok: true, out: stdout.trim() };
    } catch (error) {
      return { ok: false, out: (error as Error).message };
    }
  }

  function digestIn(region: GeoRegionId, reference: string) {
    return skopeo(
      'inspect',
      '--tls-verify=false',
      '--creds',
      meridian.creds,
      '--format',
      '{{.Digest}}',
      `docker://${meridian.regions[region].host}/${reference}`,
    );
  }

  async function tagsIn(region: GeoRegionId, repository: string): Promise<string[]> {
    const response = await meridian.regions[region].client.expect(
      'GET',
      `/v2/${repository}/tags/list`,
      [200, 404],
    );
    const body = (await response.json()) as { tags?: string[] };
    return response.status === 200 ? (body.tags ?? []) : [];
  }

  async function putRule(name: string, rule: object): Promise<{ status: number; body: string }> {
    const client = meridian.regions['us-east'].client;
    const response = await fetch(client.url(`/api/v1/cache-rules/${name}`), {
      method: 'PUT',
      headers: { authorization: client.basicAuthorization, 'content-type': 'application/json' },
      body: JSON.stringify(rule),
      signal: AbortSignal.timeout(30_000),
    });
    return { status: response.status, body: await response.text() };
  }

  it('pulls through a rule made with the CLI, fetching each blob once, and keeps an ordinary image', async () => {
    const created = await cli.run(
      [
        'cache-rule',
        'create',
        'hub',
        '--source',
        `${proxy.host}/library/*`,
        '--target',
        'hub/library/*',
        '--tag-ttl',
        `${tagTtlSeconds}s`,
        '--registry',
        registry(),
      ],
      { timeoutMs: 60_000 },
    );
    expect({ status: created.status, stderr: created.stderr }).toMatchObject({ status: 0 });
    const listed = await cli.json<Array<{ name: string; target: string; tagTtl: string }>>(
      ['cache-rule', 'list'],
      { MERIDIAN_REGISTRY: registry() },
    );
    expect(listed).toEqual([
      expect.objectContaining({ name: 'hub', target: 'hub/library/*', tagTtl: '2s' }),
    ]);

    const pulled = await skopeo(
      'copy',
      '--src-tls-verify=false',
      '--src-creds',
      meridian.creds,
      `docker://${registry()}/hub/library/tool:1.0`,
      `oci:${join(work, 'pulled')}:tool`,
    );
    expect(pulled).toMatchObject({ ok: true });
    const index = JSON.parse(await readFile(join(work, 'pulled', 'index.json'), 'utf8')) as {
      manifests: Array<{ digest: string }>;
    };
    expect(index.manifests[0]?.digest).toBe(tool.manifestDigest);

    // kept as a push: tagged here, replicated to eu-west with the same digest
    await expectEventually(
      async () => {
        expect(await tagsIn('us-east', 'hub/library/tool')).toEqual(['1.0']);
        expect(await tagsIn('eu-west', 'hub/library/tool')).toEqual(['1.0']);
        expect(await digestIn('eu-west', 'hub/library/tool:1.0')).toEqual({
          ok: true,
          out: tool.manifestDigest,
        });
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    // the pull streamed each blob into the store; the import mounted them
    for (const digest of [tool.configDigest!, ...tool.layerDigests])
      expect({ digest, gets: proxy.blobGets.get(digest) }).toEqual({ digest, gets: 1 });
  });

  it('refuses bad rules with an OCI error and keeps nothing', async () => {
    const cases: Array<[object, RegExp]> = [
      [{ source: 'library/*', target: 'x/*' }, /source/],
      [{ source: `${proxy.host}/library/*`, target: 'hub/library/tools/*' }, /overlaps/],
      [{ source: `${proxy.host}/a`, target: 'elsewhere/a', tagTtl: 'soon' }, /tagTtl/],
      [{ source: `${proxy.host}/a`, target: 'elsewhere/a', credentialSet: 'none' }, /credential/],
    ];
    for (const [rule, problem] of cases) {
      const answer = await putRule('bad', rule);
      expect(answer.status).toBe(400);
      const error = (
        JSON.parse(answer.body) as { errors: Array<{ code: string; message: string }> }
      ).errors[0]!;
      expect(error.code).toBe('REQUEST_INVALID');
      expect(error.message).toMatch(problem);
    }
    const shown = await cli.run(['cache-rule', 'show', 'bad'], {
      env: { MERIDIAN_REGISTRY: registry() },
    });
    expect(shown.status).not.toBe(0);
  });

  it('fetches a missing blob once for concurrent pulls', async () => {
    const big = await pushUpstream('big', [
      { 'data/blob.bin': randomBytes(6 << 20).toString('base64') },
    ]);
    const layer = big.layerDigests[0]!;
    const client = meridian.regions['us-east'].client;
    const bodies = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const response = await client.expect('GET', `/v2/hub/library/big/blobs/${layer}`, [200]);
        return Buffer.from(await response.arrayBuffer());
      }),
    );
    for (const body of bodies)
      expect(`sha256:${createHash('sha256').update(body).digest('hex')}`).toBe(layer);
    expect(proxy.blobGets.get(layer)).toBe(1);
  });

  it('refuses a corrupted upstream blob and keeps nothing under the target', async () => {
    const bad = await pushUpstream('bad', [{ 'etc/bad.conf': 'good bytes\n'.repeat(2048) }]);
    const layer = bad.layerDigests[0]!;
    const file = upstream.blobFile(layer);
    const bytes = await readFile(file);
    bytes[bytes.length >> 1] ^= 0xff;
    await writeFile(file, bytes);

    const pulled = await skopeo(
      'copy',
      '--retry-times',
      '0',
      '--src-tls-verify=false',
      '--src-creds',
      meridian.creds,
      `docker://${registry()}/hub/library/bad:1.0`,
      `oci:${join(work, 'bad-pulled')}:bad`,
    );
    expect(pulled.ok).toBe(false);
    // a second pull of the blob: refused (503), or cut short before its last chunk
    const client = meridian.regions['us-east'].client;
    const body = await client
      .expect('GET', `/v2/hub/library/bad/blobs/${layer}`, [200, 503])
      .then(async (response) => Buffer.from(await response.arrayBuffer()))
      .catch(() => Buffer.alloc(0));
    expect(`sha256:${createHash('sha256').update(body).digest('hex')}`).not.toBe(layer);
    // the import that would keep it fails on the same bytes: no tag appears
    for (const _ of Array.from({ length: 10 })) {
      expect(await tagsIn('us-east', 'hub/library/bad')).toEqual([]);
      await sleep(500);
    }
  });

  it('serves the cached copy while the upstream is down, and names the upstream without one', async () => {
    const upstreamHost = proxy.host;
    await proxy.stop();
    // past the TTL the tag is checked upstream: the check fails, the cached copy is served
    await sleep((tagTtlSeconds + 1) * 1000);
    expect(await digestIn('us-east', 'hub/library/tool:1.0')).toEqual({
      ok: true,
      out: tool.manifestDigest,
    });
    const pulled = await skopeo(
      'copy',
      '--src-tls-verify=false',
      '--src-creds',
      meridian.creds,
      `docker://${registry()}/hub/library/tool:1.0`,
      `oci:${join(work, 'offline')}:tool`,
    );
    expect(pulled).toMatchObject({ ok: true });

    const client = meridian.regions['us-east'].client;
    const missing = await client.expect('GET', '/v2/hub/library/other/manifests/1.0', [503]);
    const error = (
      (await missing.json()) as {
        errors: Array<{ code: string; message: string; detail: { upstream: string } }>;
      }
    ).errors[0]!;
    expect(error).toMatchObject({
      code: 'UNAVAILABLE',
      detail: { upstream: `${upstreamHost}/library/other` },
    });
    expect(error.message).toMatch(/upstream failed the manifest 1\.0/);
  });
});
