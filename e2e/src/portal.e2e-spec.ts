/**
 * The web portal as people use it, in a real browser: Debian's Chromium driven by
 * playwright-core through its executable (nothing downloaded; `MERIDIAN_E2E_CHROMIUM` names
 * another binary), against the embedded default (us-east and eu-west). An image with a
 * vulnerable Debian package is pushed with skopeo; the admin signs in at us-east's
 * `/portal`, finds the image, sees it ready in both regions, its layers, config and scan
 * finding, pings a webhook whose receiver fails, opens the failed delivery (status 500 and
 * the receiver's body), and redelivers it once the receiver is back. A Reader signs in and
 * sees the same pages without the change buttons; a repository-scoped token sees its
 * repositories only. The storage page shows both regions' usage (us-east's gateway asks
 * eu-west across the region link) and the regions page charts the lag history the
 * replication service keeps; `meridian show-usage --all-regions` and `meridian replication
 * lag` say the same. The admin creates a scope map, a token bound to it and a service
 * principal, each secret shown once and working, then disables and deletes them; a Reader is
 * offered none of those pages. No page breaks the CSP the gateway sends:
 * the browser reports every violation, and there is none. Each main page is saved as a
 * screenshot to docs/portal/*.png (docs/portal.md shows them).
 */
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
import {
  type OciLayoutImage,
  buildOciImage,
  expectEventually,
  runCommand,
} from '@meridian/testing';
import { type GeoMeridian, startGeoMeridian } from './support/geo-meridian';
import { MeridianCli, buildCli } from './support/meridian-cli';
import { repoRoot } from './support/registry-log';

const chromiumPath = process.env['MERIDIAN_E2E_CHROMIUM'] ?? '/usr/bin/chromium';
const screenshots = resolve(repoRoot, 'docs/portal');
const advisoryFixtures = resolve(repoRoot, 'apps/scan/test/fixtures/osv');
const uiTimeoutMs = 60_000;

const debianOsRelease =
  'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n';
const dpkgStatus = [
  'Package: openssl',
  'Status: install ok installed',
  'Architecture: amd64',
  'Version: 3.0.11-1~deb12u1',
  'Description: Secure Sockets Layer toolkit',
  '',
].join('\n');

describe('the web portal', () => {
  let meridian: GeoMeridian;
  let work: string;
  let image: OciLayoutImage;
  let browser: Browser;
  let receiver: Server;
  let receiverUrl: string;
  let receiverFails = true;
  let reader: { username: string; password: string };
  let teamToken: { username: string; password: string };
  let cli: MeridianCli;
  const cspViolations: string[] = [];
  const envBefore = {
    MERIDIAN_WEBHOOK_ALLOWED_HOSTS: process.env['MERIDIAN_WEBHOOK_ALLOWED_HOSTS'],
    MERIDIAN_WEBHOOK_MAX_ATTEMPTS: process.env['MERIDIAN_WEBHOOK_MAX_ATTEMPTS'],
    MERIDIAN_ADVISORY_DB: process.env['MERIDIAN_ADVISORY_DB'],
  };

  async function manage<T>(method: string, path: string, body?: unknown): Promise<T> {
    const client = meridian.regions['us-east'].client;
    const response = await fetch(client.url(`/api/v1${path}`), {
      method,
      headers: {
        authorization: client.basicAuthorization,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} /api/v1${path}: ${response.status} ${text}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  /** A page of a fresh browser context (no shared storage), failing the test on CSP errors. */
  async function newPage(width = 1280, height = 900): Promise<Page> {
    const context = await browser.newContext({ viewport: { width, height } });
    const page = await context.newPage();
    page.setDefaultTimeout(uiTimeoutMs);
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) {
        cspViolations.push(message.text());
      }
    });
    return page;
  }

  async function signIn(page: Page, username: string, password: string): Promise<void> {
    await page.goto(`${meridian.regions['us-east'].url}/portal/`);
    await page.getByLabel('Username').fill(username);
    await page.getByRole('textbox', { name: 'Password' }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Repositories' }).waitFor();
  }

  async function screenshot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
  }

  /** The `meridian` command as the admin, against us-east. */
  function meridianJson<T>(args: string[]): Promise<T> {
    const [username, password] = meridian.creds.split(/:(.*)/s) as [string, string];
    return cli.json<T>([...args, '--registry', meridian.regions['us-east'].host], {
      MERIDIAN_USERNAME: username,
      MERIDIAN_PASSWORD: password,
    });
  }

  /** A pull token for team/portal-app from the token endpoint, as docker asks: 200 or 401. */
  async function tokenStatus(username: string, password: string): Promise<number> {
    const base = meridian.regions['us-east'].url;
    const challenge = (await fetch(`${base}/v2/`)).headers.get('www-authenticate') ?? '';
    const service = /service="([^"]*)"/.exec(challenge)?.[1] ?? '';
    const query = new URLSearchParams({ service, scope: 'repository:team/portal-app:pull' });
    const response = await fetch(`${base}/oauth2/token?${query}`, {
      headers: {
        authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
      },
      signal: AbortSignal.timeout(30_000),
    });
    await response.arrayBuffer();
    return response.status;
  }

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'meridian-e2e-portal-'));
    await mkdir(screenshots, { recursive: true });
    buildCli();
    cli = new MeridianCli(join(work, 'home'));
    await cli.prepare();
    // the receiver listens on loopback, which webhooks reach only when the operator says so;
    // one attempt, so a failed delivery is dead-lettered at once
    process.env['MERIDIAN_WEBHOOK_ALLOWED_HOSTS'] = '127.0.0.1';
    process.env['MERIDIAN_WEBHOOK_MAX_ATTEMPTS'] = '1';
    process.env['MERIDIAN_ADVISORY_DB'] = join(work, 'osv');
    await cp(advisoryFixtures, join(work, 'osv'), { recursive: true });
    receiver = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        if (receiverFails) response.writeHead(500).end('receiver down for maintenance');
        else response.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    [meridian, image, browser] = await Promise.all([
      startGeoMeridian('portal'),
      buildOciImage(join(work, 'image'), {
        tag: 'v1',
        layers: [
          { files: { 'etc/os-release': debianOsRelease, 'var/lib/dpkg/status': dpkgStatus } },
          { files: { 'srv/app/server.js': 'console.log("hello from the portal test")\n' } },
        ],
        config: {
          entrypoint: ['/usr/bin/node', '/srv/app/server.js'],
          env: ['PORT=8080'],
          labels: { 'org.opencontainers.image.title': 'portal-app' },
        },
      }),
      chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] }),
    ]);
    await runCommand('skopeo', [
      '--insecure-policy',
      'copy',
      '--dest-tls-verify=false',
      '--dest-creds',
      meridian.creds,
      image.reference,
      `docker://${meridian.regions['us-east'].host}/team/portal-app:v1`,
    ]).catch((error: Error) => {
      throw new Error(`${error.message}\n${meridian.describeOutput()}`);
    });
    // a repository outside team/*, which the repository-scoped token must not see
    await runCommand('skopeo', [
      '--insecure-policy',
      'copy',
      '--dest-tls-verify=false',
      '--dest-creds',
      meridian.creds,
      image.reference,
      `docker://${meridian.regions['us-east'].host}/other/hidden:v1`,
    ]);
    await manage('PUT', '/scope-maps/team-read', {
      rules: [{ repository: 'team/*', actions: ['content/read', 'metadata/read'] }],
    });
    await manage('PUT', '/tokens/team-viewer', { scopeMap: 'team-read' });
    const generated = await manage<{ password: { value: string } }>(
      'POST',
      '/tokens/team-viewer/passwords/1/generate',
      {},
    );
    teamToken = { username: 'team-viewer', password: generated.password.value };
    await manage('PUT', '/webhooks/portalhook', {
      serviceUri: receiverUrl,
      actions: ['delete'],
      region: 'us-east',
    });
    const { secret } = await manage<{ secret: string }>('PUT', '/service-principals/viewer', {
      roles: ['Reader'],
    });
    reader = { username: 'viewer', password: secret };
  }, 360_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((done) => receiver?.close(done));
    await meridian?.dispose();
    for (const [key, value] of Object.entries(envBefore)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('is served under /portal with a strict CSP, client routes falling back to the app', async () => {
    const base = meridian.regions['us-east'].url;
    const index = await fetch(`${base}/portal/webhooks?name=x`);
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('<div id="root"></div>');
    const csp = index.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    // the registry's paths keep their meaning
    expect((await fetch(`${base}/v2/`)).status).toBe(401);
  });

  it('refuses wrong credentials and signs the admin in', async () => {
    const page = await newPage();
    await page.goto(`${meridian.regions['us-east'].url}/portal/`);
    await screenshot(page, 'sign-in');
    await page.getByLabel('Username').fill('admin');
    await page.getByRole('textbox', { name: 'Password' }).fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('did not accept these credentials').waitFor();

    const [username, password] = meridian.creds.split(/:(.*)/s) as [string, string];
    await signIn(page, username, password);
    await expect(page.getByTestId('signed-in-as').textContent()).resolves.toBe('admin');
    // nothing of the session is stored where another page of the origin could read it
    // (the expressions run in the page, whose DOM types the tests' tsconfig does not hold)
    const stored = await page.evaluate(
      '[Object.keys(localStorage), Object.keys(sessionStorage), document.cookie]',
    );
    expect(stored).toEqual([[], [], '']);
    await page.context().close();
  });

  it('finds the pushed image, ready in both regions, with its layers, config and scan finding', async () => {
    const page = await newPage();
    const [username, password] = meridian.creds.split(/:(.*)/s) as [string, string];
    await signIn(page, username, password);

    await page.getByLabel('Search repositories').fill('portal');
    const row = page.getByRole('row').filter({ hasText: 'team/portal-app' });
    await row.waitFor();
    await expect(row.getByRole('cell').nth(1).textContent()).resolves.toBe('1');
    await screenshot(page, 'repositories');

    await row.getByRole('link', { name: 'team/portal-app' }).click();
    await page.getByRole('heading', { name: 'team/portal-app' }).waitFor();
    const tagRow = page.getByRole('table', { name: 'Tags' }).getByRole('row').nth(1);
    await expect(tagRow.getByRole('link').textContent()).resolves.toBe('v1');
    await page.getByRole('button', { name: 'Lock tag v1' }).waitFor();
    await screenshot(page, 'repository');

    await tagRow.getByRole('link', { name: 'v1' }).click();
    const regions = page.getByRole('table', { name: 'Readiness per region' });
    for (const region of ['us-east', 'eu-west']) {
      // the status is polled: eu-west turns ready without a reload
      await regions
        .locator(`tr[data-region="${region}"]`)
        .getByText('ready', { exact: true })
        .waitFor();
    }
    await expect(page.getByTestId('pull-command').textContent()).resolves.toBe(
      `docker pull ${meridian.regions['us-east'].host}/team/portal-app@${image.manifestDigest}`,
    );
    await expect(
      page.getByRole('table', { name: 'Layers' }).getByRole('row').count(),
    ).resolves.toBe(1 + image.layerDigests.length);
    await expect(page.getByTestId('entrypoint').textContent()).resolves.toBe(
      JSON.stringify(['/usr/bin/node', '/srv/app/server.js']),
    );
    await page.getByRole('table', { name: 'Environment' }).getByText('8080').waitFor();
    await page.getByRole('table', { name: 'Labels' }).getByText('portal-app').waitFor();

    // the scan is polled until its report exists; then its SBOM and report are referrers too
    const finding = page
      .getByRole('table', { name: 'Findings' })
      .getByRole('row')
      .filter({ hasText: 'DSA-9001-1' });
    await finding.waitFor();
    await expect(finding.textContent()).resolves.toContain('openssl');
    await expect(finding.textContent()).resolves.toContain('3.0.11-1~deb12u2');
    await page.getByRole('table', { name: 'Referrers' }).waitFor();
    await expect(page.getByTestId('quarantine-setting').textContent()).resolves.toBe(
      '(pushes are not quarantined until scanned)',
    );
    await screenshot(page, 'image');
    await page.context().close();
  });

  it('shows a failed webhook delivery and redelivers it', async () => {
    const page = await newPage();
    const [username, password] = meridian.creds.split(/:(.*)/s) as [string, string];
    await signIn(page, username, password);
    await page.getByRole('navigation').getByRole('link', { name: 'Webhooks' }).click();
    await page.getByRole('link', { name: 'portalhook' }).click();
    await page.getByRole('button', { name: 'Ping' }).click();

    const dead = page.locator('tr[data-state="dead"]');
    await dead.waitFor({ timeout: 90_000 });
    const deliveryId = await dead.getAttribute('data-delivery');
    await dead.getByRole('button', { name: 'Details' }).click();
    const details = page.getByTestId(`delivery-details-${deliveryId}`);
    await expect(details.getByTestId('response-status').textContent()).resolves.toBe('HTTP 500');
    await expect(details.getByTestId('response-body').textContent()).resolves.toBe(
      'receiver down for maintenance',
    );
    await screenshot(page, 'webhooks');

    receiverFails = false;
    await dead.getByRole('button', { name: 'Redeliver' }).click();
    await page.locator('tr[data-state="succeeded"]').waitFor({ timeout: 90_000 });
    const deliveries = await manage<{ deliveries: { state: string; redeliveryOf?: string }[] }>(
      'GET',
      '/webhooks/portalhook/events',
    );
    expect(deliveries.deliveries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ state: 'succeeded', redeliveryOf: deliveryId }),
      ]),
    );
    await page.context().close();
  });

  it('charts storage and replication health, updating by itself', async () => {
    const page = await newPage();
    const [username, password] = meridian.creds.split(/:(.*)/s) as [string, string];
    await signIn(page, username, password);
    await page.getByRole('navigation').getByRole('link', { name: 'Storage' }).click();
    await page
      .getByRole('table', { name: 'Usage per repository' })
      .getByText('team/portal-app')
      .waitFor();
    await page.locator('.recharts-bar-rectangle').first().waitFor();
    await page.getByText('Retention of untagged manifests').waitFor();
    // every region's usage, eu-west's asked across the region link: the image replicated there
    const perRegion = page.getByRole('table', { name: 'Usage per region' });
    for (const region of ['us-east', 'eu-west']) {
      await perRegion
        .locator(`tr[data-region="${region}"]`)
        .getByText('available', { exact: true })
        .waitFor();
    }
    await screenshot(page, 'storage');
    type RegionUsage = { region: string; available: boolean; repositories?: { name: string }[] };
    const usage = await meridianJson<{ regions: RegionUsage[] }>(['show-usage', '--all-regions']);
    expect(usage.regions.map((region) => [region.region, region.available])).toEqual([
      ['us-east', true],
      ['eu-west', true],
    ]);
    expect(usage.regions[1]!.repositories?.map((repository) => repository.name)).toContain(
      'team/portal-app',
    );

    await page.getByRole('navigation').getByRole('link', { name: 'Regions' }).click();
    const peer = page.locator('tr[data-peer="eu-west"]');
    await peer.getByText('connected', { exact: true }).waitFor();
    // the replications, each with its status as us-east sees it
    await page
      .locator('tr[data-replication="eu-west"]')
      .getByText('ready', { exact: true })
      .waitFor();
    await page.locator('tr[data-replication="us-east"]').getByText('(this region)').waitFor();
    // the lag history the replication service keeps: sampled at its start, then each minute
    await page
      .getByTestId('lag-samples')
      .getByText(/^[1-9]\d* samples?, one every 60 s$/)
      .waitFor();
    await page.locator('.recharts-line-dot').first().waitFor();
    const history = await meridianJson<{
      region: string;
      peers: { region: string; samples: { lagMs: number; connected: boolean }[] }[];
    }>(['replication', 'lag', '--minutes', '60']);
    expect(history.region).toBe('us-east');
    expect(history.peers.map((peer) => peer.region)).toEqual(['eu-west']);
    expect(history.peers[0]!.samples.length).toBeGreaterThan(0);
    const badWindow = await fetch(
      meridian.regions['us-east'].client.url('/api/v1/replication/lag-history?minutes=0'),
      { headers: { authorization: meridian.regions['us-east'].client.basicAuthorization } },
    );
    expect(badWindow.status).toBe(400);
    expect(await badWindow.json()).toMatchObject({ errors: [{ code: 'REQUEST_INVALID' }] });
    const updated = await page.getByText(/^Updated /).textContent();
    await expectEventually(
      async () => expect(await page.getByText(/^Updated /).textContent()).not.toBe(updated),
      { timeoutMs: 20_000, intervalMs: 500 },
    );
    await screenshot(page, 'regions');
    await page.context().close();
  });

  it('lets an Owner manage scope maps, tokens and service principals, each secret shown once', async () => {
    const page = await newPage();
    const [username, password] = meridian.creds.split(/:(.*)/s) as [string, string];
    await signIn(page, username, password);
    const navigation = page.getByRole('navigation');

    await navigation.getByRole('link', { name: 'Scope maps' }).click();
    await page.getByLabel('Scope map name').fill('portal-ci');
    await page.getByLabel('Description').fill('pushes of the portal app');
    await page.getByLabel('Repository or pattern, rule 1').fill('team/portal-app');
    await page.getByRole('checkbox', { name: 'content/write' }).check();
    await page.getByRole('button', { name: 'Save scope map' }).click();
    const mapRow = page.locator('tr[data-scope-map="portal-ci"]');
    await mapRow.getByText(/content\/read.*content\/write|content\/write.*content\/read/).waitFor();
    await screenshot(page, 'scope-maps');

    await navigation.getByRole('link', { name: 'Tokens' }).click();
    await page.getByLabel('Token name').fill('portal-ci-token');
    await page.getByLabel('Scope map').selectOption('portal-ci');
    await page.getByRole('button', { name: 'Create token' }).click();
    const tokenSecret = await page.getByTestId('secret').textContent();
    expect(tokenSecret).toMatch(/^\S{16,}$/);
    const tokenRow = page.locator('tr[data-token="portal-ci-token"]');
    await tokenRow.getByText(/password 1:/).waitFor();
    await screenshot(page, 'tokens');
    expect(await tokenStatus('portal-ci-token', tokenSecret!)).toBe(200);
    // the list never carries it: only the answer that made it did
    const listed = await manage<unknown>('GET', '/tokens');
    expect(JSON.stringify(listed)).not.toContain(tokenSecret!);
    await page.getByRole('button', { name: 'I have copied it' }).click();
    await expect(page.getByTestId('secret').count()).resolves.toBe(0);

    await tokenRow.getByRole('button', { name: 'Disable token portal-ci-token' }).click();
    await page.locator('tr[data-token="portal-ci-token"][data-status="disabled"]').waitFor();
    expect(await tokenStatus('portal-ci-token', tokenSecret!)).toBe(401);
    // a scope map in use by a token is kept: the registry refuses, and the page says so
    await navigation.getByRole('link', { name: 'Scope maps' }).click();
    await mapRow.getByRole('button', { name: 'Delete scope map portal-ci' }).click();
    await mapRow.getByRole('button', { name: 'Confirm: Delete scope map portal-ci' }).click();
    await page
      .getByTestId('action-failure')
      .getByText('DENIED: scope map portal-ci is used by tokens')
      .waitFor();
    await expect(mapRow.count()).resolves.toBe(1);

    await navigation.getByRole('link', { name: 'Tokens' }).click();
    await tokenRow.getByRole('button', { name: 'Delete token portal-ci-token' }).click();
    await tokenRow.getByRole('button', { name: 'Confirm: Delete token portal-ci-token' }).click();
    await tokenRow.waitFor({ state: 'detached' });
    await navigation.getByRole('link', { name: 'Scope maps' }).click();
    await mapRow.getByRole('button', { name: 'Delete scope map portal-ci' }).click();
    await mapRow.getByRole('button', { name: 'Confirm: Delete scope map portal-ci' }).click();
    await mapRow.waitFor({ state: 'detached' });

    await navigation.getByRole('link', { name: 'Identities' }).click();
    await page.getByLabel('Principal name').fill('portal-bot');
    await page.getByRole('checkbox', { name: 'AcrPull' }).check();
    await page.getByRole('button', { name: 'Create service principal' }).click();
    const principalSecret = await page.getByTestId('secret').textContent();
    const principalRow = page.locator('tr[data-principal="portal-bot"]');
    await principalRow.getByText(/AcrPull/).waitFor();
    await expect(principalRow.textContent()).resolves.toContain('Reader');
    await screenshot(page, 'identities');
    expect(await tokenStatus('portal-bot', principalSecret!)).toBe(200);
    // leaving the page forgets the secret: coming back shows the list only
    await navigation.getByRole('link', { name: 'Tokens' }).click();
    await navigation.getByRole('link', { name: 'Identities' }).click();
    await principalRow.waitFor();
    await expect(page.getByTestId('secret').count()).resolves.toBe(0);
    await principalRow.getByRole('button', { name: 'Delete service principal portal-bot' }).click();
    await principalRow
      .getByRole('button', { name: 'Confirm: Delete service principal portal-bot' })
      .click();
    await principalRow.waitFor({ state: 'detached' });
    expect(await tokenStatus('portal-bot', principalSecret!)).toBe(401);
    await page.context().close();
  });

  it('lets an Owner keep cache rules, and shows why the registry refuses one', async () => {
    const page = await newPage();
    const [username, password] = meridian.creds.split(/:(.*)/s) as [string, string];
    await signIn(page, username, password);
    await page.getByRole('navigation').getByRole('link', { name: 'Cache rules' }).click();
    const fill = async (name: string, target: string) => {
      await page.getByLabel('Rule name').fill(name);
      await page.getByLabel('Source').fill('registry.example.com/library/*');
      await page.getByLabel('Target').fill(target);
      await page.getByRole('button', { name: 'Save cache rule' }).click();
    };
    await fill('portal-hub', 'portal-hub/*');
    const row = page.locator('tr[data-cache-rule="portal-hub"]');
    await row.getByText('portal-hub/*').waitFor();
    await fill('portal-overlap', 'portal-hub/library/*');
    await page
      .getByTestId('action-failure')
      .getByText(/overlaps/)
      .waitFor();
    await screenshot(page, 'cache-rules');
    await row.getByRole('button', { name: 'Delete cache rule portal-hub' }).click();
    await row.getByRole('button', { name: 'Confirm: Delete cache rule portal-hub' }).click();
    await page.getByText('No cache rules.').waitFor();
    await page.context().close();
  });

  it('shows a Reader the registry without the change buttons', async () => {
    const page = await newPage();
    await signIn(page, reader.username, reader.password);
    await expect(page.getByTestId('signed-in-as').textContent()).resolves.toBe(
      'viewer (read only)',
    );
    await page.getByRole('link', { name: 'team/portal-app' }).click();
    await page.getByRole('table', { name: 'Tags' }).getByRole('link', { name: 'v1' }).waitFor();
    await expect(page.getByRole('button', { name: /Lock tag/ }).count()).resolves.toBe(0);

    // nothing of identities, tokens or scope maps is offered to a Reader
    const navigation = page.getByRole('navigation');
    for (const name of ['Identities', 'Tokens', 'Scope maps'])
      await expect(navigation.getByRole('link', { name }).count()).resolves.toBe(0);
    await page.getByRole('navigation').getByRole('link', { name: 'Webhooks' }).click();
    await page.getByRole('alert').getByText('may not see this').waitFor();
    await page.goto(`${meridian.regions['us-east'].url}/portal/webhooks?name=portalhook`);
    // a reload signs out: the session lived in the page's memory only
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.context().close();
  });

  it('shows a repository-scoped token its repositories only', async () => {
    const page = await newPage();
    await signIn(page, teamToken.username, teamToken.password);
    const table = page.getByRole('table', { name: 'Repositories' });
    await table.getByRole('link', { name: 'team/portal-app' }).waitFor();
    await expect(table.getByRole('link').allTextContents()).resolves.toEqual(['team/portal-app']);
    await table.getByRole('link', { name: 'team/portal-app' }).click();
    await page.getByRole('table', { name: 'Tags' }).getByRole('link', { name: 'v1' }).click();
    await page.getByTestId('pull-command').waitFor();
    await expect(
      page.getByRole('table', { name: 'Layers' }).getByRole('row').count(),
    ).resolves.toBe(1 + image.layerDigests.length);
    await page.context().close();
  });

  it('fits a phone screen, navigation behind the menu button', async () => {
    const page = await newPage(390, 844);
    const [username, password] = meridian.creds.split(/:(.*)/s) as [string, string];
    await signIn(page, username, password);
    await expect(page.getByRole('link', { name: 'Storage' }).isVisible()).resolves.toBe(false);
    await page.getByRole('button', { name: 'Open navigation' }).click();
    await page.getByRole('link', { name: 'Storage' }).waitFor();
    await screenshot(page, 'phone');
    const overflow = await page.evaluate<number>(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await page.context().close();
  });

  it('broke no rule of the CSP on any page', () => {
    expect(cspViolations).toEqual([]);
  });
});
