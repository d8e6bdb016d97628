/**
 * `meridian config soft-delete show | update` and `meridian deleted list | restore` through
 * the command tree, against a small registry on a loopback port (authentication off) that
 * answers the soft delete API as the gateway does.
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CommanderError } from 'commander';
import { buildProgram } from '../program';

const digest = (c: string) => `sha256:${c.repeat(64)}`;

describe('meridian config soft-delete, meridian deleted', () => {
  let server: Server;
  let registry: string;
  let policy = { enabled: false, retentionDays: 7 };
  const requests: { method: string; url: string; body?: unknown }[] = [];
  const deleted = ['a', 'b', 'c'].map((c) => ({
    digest: digest(c),
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    size: 100,
    tags: [`v-${c}`],
    deletedAt: '2026-12-01T00:00:00.000Z',
    expiresAt: '2026-12-08T00:00:00.000Z',
  }));

  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/v2/') return void response.writeHead(200).end('{}');
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const body = text === '' ? undefined : (JSON.parse(text) as unknown);
        requests.push({ method: request.method!, url: request.url!, body });
        const url = new URL(request.url!, 'http://registry');
        const reply = (status: number, value: unknown) => {
          response.writeHead(status, { 'content-type': 'application/json' });
          response.end(JSON.stringify(value));
        };
        if (url.pathname === '/api/v1/settings/soft-delete') {
          if (request.method === 'PUT') policy = body as typeof policy;
          return reply(200, policy);
        }
        if (url.pathname === '/api/v1/deleted') {
          // pages of at most n after last, as the gateway answers them
          const n = Number(url.searchParams.get('n'));
          const last = url.searchParams.get('last') ?? '';
          const after = deleted.filter((m) => m.digest > last);
          return reply(200, {
            repository: url.searchParams.get('repository'),
            manifests: after.slice(0, n),
            more: after.length > n,
          });
        }
        const restore = /^\/api\/v1\/deleted\/(.+)\/(sha256:[a-f0-9]{64})\/restore$/.exec(
          url.pathname,
        );
        if (restore && request.method === 'POST') {
          if (restore[2] !== digest('a')) {
            return reply(404, {
              errors: [{ code: 'MANIFEST_UNKNOWN', message: 'no restorable manifest' }],
            });
          }
          return reply(200, {
            repository: restore[1],
            digest: restore[2],
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            size: 100,
            tags: ['v-a'],
            skippedTags: [],
          });
        }
        reply(404, { errors: [{ code: 'NOT_FOUND', message: 'no such route' }] });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    registry = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => {
    requests.length = 0;
  });

  /** Runs `meridian --registry … -o json <args>`; what it printed. */
  async function meridian(...args: string[]): Promise<unknown> {
    const out: string[] = [];
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await buildProgram().parseAsync(['--registry', registry, '-o', 'json', ...args], {
        from: 'user',
      });
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
    return JSON.parse(out.join(''));
  }

  it('shows the setting', async () => {
    await expect(meridian('config', 'soft-delete', 'show')).resolves.toEqual({
      enabled: false,
      retentionDays: 7,
    });
  });

  it('updates it, keeping what a flag leaves out', async () => {
    await expect(
      meridian('config', 'soft-delete', 'update', '--enabled', '--retention-days', '14'),
    ).resolves.toEqual({ enabled: true, retentionDays: 14 });
    await expect(meridian('config', 'soft-delete', 'update', '--disabled')).resolves.toEqual({
      enabled: false,
      retentionDays: 14,
    });
    expect(requests.filter((r) => r.method === 'PUT').map((r) => r.body)).toEqual([
      { enabled: true, retentionDays: 14 },
      { enabled: false, retentionDays: 14 },
    ]);
  });

  it.each([
    [['--retention-days', '0']],
    [['--retention-days', '91']],
    [['--retention-days', '1.5']],
  ])('refuses update %j as bad usage, sending nothing', async (flags) => {
    await expect(meridian('config', 'soft-delete', 'update', ...flags)).rejects.toBeInstanceOf(
      CommanderError,
    );
    expect(requests).toEqual([]);
  });

  it.each([[['--enabled', '--disabled']], [[]]])(
    'refuses update %j: contradictory or nothing to update, sending nothing',
    async (flags) => {
      await expect(meridian('config', 'soft-delete', 'update', ...flags)).rejects.toMatchObject({
        code: 'USAGE',
        exitCode: 2,
      });
      expect(requests).toEqual([]);
    },
  );

  it('lists every page of a repository, or the top n', async () => {
    const listed = (await meridian('deleted', 'list', '--repository', 'team/app')) as unknown[];
    expect(listed).toEqual(deleted);
    const top = await meridian('deleted', 'list', '--repository', 'team/app', '--top', '2');
    expect(top).toEqual(deleted.slice(0, 2));
  });

  it('restores repository@digest', async () => {
    await expect(meridian('deleted', 'restore', `team/app@${digest('a')}`)).resolves.toMatchObject({
      repository: 'team/app',
      digest: digest('a'),
      tags: ['v-a'],
    });
    expect(requests.at(-1)).toMatchObject({
      method: 'POST',
      url: `/api/v1/deleted/team/app/${digest('a')}/restore`,
    });
  });

  it("passes the registry's refusal on (exit 1)", async () => {
    await expect(meridian('deleted', 'restore', `team/app@${digest('b')}`)).rejects.toMatchObject({
      code: 'MANIFEST_UNKNOWN',
      exitCode: 1,
    });
  });

  it.each([['team/app:v1'], ['team/app'], ['Team/App@' + digest('a')], ['team/app@sha256:abc']])(
    'refuses to restore %s as bad usage, sending nothing',
    async (image) => {
      await expect(meridian('deleted', 'restore', image)).rejects.toMatchObject({ exitCode: 2 });
      expect(requests).toEqual([]);
    },
  );
});
