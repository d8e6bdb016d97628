/**
 * `meridian config retention show | update` through the command tree, against a small
 * registry on a loopback port (authentication off) that holds a policy as the gateway does.
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CommanderError } from 'commander';
import { buildProgram } from '../program';

describe('meridian config retention', () => {
  let server: Server;
  let registry: string;
  let policy = { enabled: false, days: 7 };
  const puts: unknown[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/v2/') return void response.writeHead(200).end('{}');
      if (request.url !== '/api/v1/settings/retention') return void response.writeHead(404).end();
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (request.method === 'PUT') {
          policy = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof policy;
          puts.push(policy);
        }
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(policy));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    registry = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  /** Runs `meridian --registry … -o json <args>`; what it printed. */
  async function meridian(...args: string[]): Promise<unknown> {
    const out: string[] = [];
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    try {
      await buildProgram().parseAsync(['--registry', registry, '-o', 'json', ...args], {
        from: 'user',
      });
    } finally {
      stdout.mockRestore();
    }
    return JSON.parse(out.join(''));
  }

  it('shows the policy', async () => {
    await expect(meridian('config', 'retention', 'show')).resolves.toEqual({
      enabled: false,
      days: 7,
    });
  });

  it('updates it as az acr config retention update does, keeping what a flag leaves out', async () => {
    await expect(
      meridian(
        'config',
        'retention',
        'update',
        '--status',
        'enabled',
        '--days',
        '0',
        '--type',
        'UntaggedManifests',
      ),
    ).resolves.toEqual({ enabled: true, days: 0 });
    await expect(meridian('config', 'retention', 'update', '--days', '30')).resolves.toEqual({
      enabled: true,
      days: 30,
    });
    await expect(
      meridian('config', 'retention', 'update', '--status', 'disabled'),
    ).resolves.toEqual({ enabled: false, days: 30 });
    expect(puts).toEqual([
      { enabled: true, days: 0 },
      { enabled: true, days: 30 },
      { enabled: false, days: 30 },
    ]);
  });

  it.each([
    [['--days', '366']],
    [['--days', '-1']],
    [['--days', '1.5']],
    [['--status', 'on']],
    [['--status', 'enabled', '--type', 'TaggedManifests']],
  ])('refuses %j as bad usage, sending nothing', async (flags) => {
    const sent = puts.length;
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await expect(meridian('config', 'retention', 'update', ...flags)).rejects.toBeInstanceOf(
        CommanderError,
      );
    } finally {
      stderr.mockRestore();
    }
    expect(puts).toHaveLength(sent);
  });

  it('refuses an update with nothing to update', async () => {
    await expect(meridian('config', 'retention', 'update')).rejects.toMatchObject({
      code: 'USAGE',
      exitCode: 2,
    });
  });
});
