/**
 * Imports with the `meridian` CLI against the default two-region Meridian: an image pushed
 * by skopeo to CNCF distribution (no auth) is imported into us-east with `meridian import
 * --wait` and pulls, byte for byte, in both regions; then the Meridian itself is the upstream
 * (Docker token auth, with the admin's credentials piped in), and without credentials the
 * job fails saying the upstream refused. The operator lists the loopback upstreams
 * (MERIDIAN_INSECURE_UPSTREAMS, MERIDIAN_UPSTREAM_ALLOWED_HOSTS): nothing allows them by default.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DistributionRegistry,
  type OciLayoutImage,
  buildOciImage,
  expectEventually,
  runCommand,
} from '@meridian/testing';
import { type GeoMeridian, type GeoRegionId, startGeoMeridian } from './support/geo-meridian';
import { MeridianCli, buildCli } from './support/meridian-cli';

interface ImportJob {
  id: string;
  state: string;
  digest?: string;
  progress: { blobsDone: number; blobsTotal: number; blobsMounted: number };
  error?: { reason: string; message: string };
}

/** what a terminal shows, without its colour and cursor sequences */
function withoutColour(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
}

describe('meridian import between registries', () => {
  let work: string;
  let upstream: DistributionRegistry;
  let meridian: GeoMeridian;
  let cli: MeridianCli;
  let image: OciLayoutImage;

  beforeAll(async () => {
    buildCli();
    work = await mkdtemp(join(tmpdir(), 'meridian-e2e-import-'));
    upstream = await DistributionRegistry.start();
    image = await buildOciImage(join(work, 'image'), {
      tag: 'latest',
      layers: [
        { files: { 'etc/tool.conf': 'imported\n'.repeat(4096) } },
        { files: { 'usr/bin/tool': 'binary\n'.repeat(8192) } },
      ],
    });
    await runCommand('skopeo', [
      '--insecure-policy',
      'copy',
      '--dest-tls-verify=false',
      image.reference,
      `docker://${upstream.host}/library/tool:1.0`,
    ]);
    meridian = await startGeoMeridian('import', (hosts) => ({
      MERIDIAN_INSECURE_UPSTREAMS: [upstream.host, hosts['us-east']].join(','),
      MERIDIAN_UPSTREAM_ALLOWED_HOSTS: '127.0.0.1',
      MERIDIAN_IMPORT_ATTEMPTS: '2',
      MERIDIAN_IMPORT_RETRY_SECONDS: '0.5',
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
    await upstream?.dispose();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const registry = () => meridian.regions['us-east'].host;

  /** The manifest digest skopeo reads in the region, or undefined when it cannot. */
  async function digestIn(region: GeoRegionId, reference: string): Promise<string | undefined> {
    try {
      const { stdout } = await runCommand('skopeo', [
        'inspect',
        '--tls-verify=false',
        '--creds',
        meridian.creds,
        '--format',
        '{{.Digest}}',
        `docker://${meridian.regions[region].host}/${reference}`,
      ]);
      return stdout.trim();
    } catch {
      return undefined;
    }
  }

  it('imports from distribution with --wait, and the image pulls in both regions', async () => {
    const result = await cli.run(
      [
        'import',
        `${upstream.host}/library/tool:1.0`,
        '--target',
        'base/tool:1.0',
        '--wait',
        '--interval',
        '200ms',
        '--registry',
        registry(),
        '--output',
        'json',
      ],
      { timeoutMs: 180_000 },
    );
    expect({ status: result.status, stderr: result.stderr }).toMatchObject({ status: 0 });
    const job = JSON.parse(result.stdout) as ImportJob;
    expect(job).toMatchObject({ state: 'succeeded', digest: image.manifestDigest });
    expect(job.progress).toMatchObject({ blobsDone: 3, blobsTotal: 3, blobsMounted: 0 });
    expect(result.stderr).toMatch(/blobs 3\/3/);

    await expectEventually(
      async () => {
        for (const region of ['us-east', 'eu-west'] as const)
          expect(await digestIn(region, 'base/tool:1.0')).toBe(image.manifestDigest);
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    const pulled = join(work, 'pulled');
    await runCommand('skopeo', [
      '--insecure-policy',
      'copy',
      '--src-tls-verify=false',
      '--src-creds',
      meridian.creds,
      `docker://${meridian.regions['eu-west'].host}/base/tool:1.0`,
      `oci:${pulled}:tool`,
    ]);
  });

  it('draws a progress bar of bytes and blobs on a terminal', async () => {
    const shown = await cli.inTerminal([
      'import',
      `${upstream.host}/library/tool:1.0`,
      '--target',
      'terminal/tool:1.0',
      '--wait',
      '--interval',
      '100ms',
      '--registry',
      registry(),
    ]);
    expect({ status: shown.status, out: shown.stdout }).toMatchObject({ status: 0 });
    const screen = withoutColour(shown.stdout);
    expect(screen).toMatch(
      /[█░]+ [\d.]+ (?:B|KiB|MiB)\/[\d.]+ (?:B|KiB|MiB) \| blobs 3\/3 \| succeeded/,
    );
    expect(screen).toMatch(/succeeded: 3\/3 blobs \(3 already here\)/);
  });

  it('imports from a Meridian with Docker token auth, and says why it fails without credentials', async () => {
    const [, password] = meridian.creds.split(':');
    const source = `${registry()}/base/tool:1.0`;
    const withLogin = await cli.run(
      ['import', source, '-t', 'copies/tool', '-u', 'admin', '--password-stdin', '--wait'],
      { stdin: `${password}\n`, env: { MERIDIAN_REGISTRY: registry() }, timeoutMs: 180_000 },
    );
    expect({ status: withLogin.status, stderr: withLogin.stderr }).toMatchObject({ status: 0 });
    expect(withLogin.stderr).toMatch(/succeeded: 3\/3 blobs \(3 already here\)/);
    expect(await digestIn('us-east', 'copies/tool:1.0')).toBe(image.manifestDigest);

    const anonymous = await cli.run(['import', source, '-t', 'copies/anonymous', '--wait'], {
      env: { MERIDIAN_REGISTRY: registry() },
      timeoutMs: 180_000,
    });
    expect(anonymous.status).toBe(1);
    expect(anonymous.stderr).toMatch(/error: UPSTREAM_UNAUTHORIZED: .*refused the credentials/);
    expect(await digestIn('us-east', 'copies/anonymous:1.0')).toBeUndefined();
  });

  it('keeps a credential set and imports with it', async () => {
    const [, password] = meridian.creds.split(':');
    const put = await cli.run(
      ['credential-set', 'put', 'self', '-u', 'admin', '--password-stdin', '--output', 'json'],
      { stdin: `${password}\n`, env: { MERIDIAN_REGISTRY: registry() } },
    );
    expect({ status: put.status, stderr: put.stderr }).toMatchObject({ status: 0 });
    expect(put.stdout).not.toContain(password);
    const listed = await cli.json<Array<{ name: string; kind: string }>>(
      ['credential-set', 'list'],
      { MERIDIAN_REGISTRY: registry() },
    );
    expect(listed).toEqual([expect.objectContaining({ name: 'self', kind: 'password' })]);

    const job = await cli.json<ImportJob>(
      [
        'import',
        `${registry()}/base/tool:1.0`,
        '-t',
        'saved/tool:1.0',
        '--credential-set',
        'self',
        '--wait',
      ],
      { MERIDIAN_REGISTRY: registry() },
    );
    expect(job.state).toBe('succeeded');
    const deleted = await cli.run(['credential-set', 'delete', 'self'], {
      env: { MERIDIAN_REGISTRY: registry() },
    });
    expect(deleted.status).toBe(0);
  });
});
