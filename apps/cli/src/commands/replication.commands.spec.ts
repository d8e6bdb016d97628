/**
 * `replication lag` and `replication status --wait` against a small registry on a loopback port (authentication
 * off) whose status answer the test scripts: it returns once every region asked for is
 * ready, with a line per change on a non-terminal stderr, and times out with exit 4.
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CliError } from '../cli-error';
import { lag, status } from './replication.commands';
import { captureOutput } from '../../test/capture-output';

describe('replication status', () => {
  let server: Server;
  let registry: string;
  const asked = new Map<string, number>();

  beforeAll(async () => {
    server = createServer((request, response) => {
      const url = new URL(request.url!, 'http://x');
      if (url.pathname === '/v2/') return void response.writeHead(200).end('{}');
      const repository = url.searchParams.get('repository')!;
      const count = (asked.get(repository) ?? 0) + 1;
      asked.set(repository, count);
      const euReady = repository === 'team/app' && count >= 3;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          repository,
          digest: `sha256:${'a'.repeat(64)}`,
          regions: [
            { region: 'us-east', state: 'ready', since: '2026-01-01T00:00:00.000Z', lagMs: 0 },
            euReady
              ? { region: 'eu-west', state: 'ready', since: '2026-01-01T00:00:01.000Z', lagMs: 900 }
              : {
                  region: 'eu-west',
                  state: 'pending',
                  since: '2026-01-01T00:00:00.000Z',
                  lastError: 'peer unreachable',
                },
          ],
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    registry = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('returns once every region is ready, a line each time a region changes', async () => {
    const output = captureOutput();
    try {
      await status({ registry, output: 'json' }, 'team/app:v1', {
        wait: true,
        timeout: '10s',
        interval: '10ms',
      });
    } finally {
      output.restore();
    }
    expect(asked.get('team/app')).toBe(3);
    expect(output.err.join('')).toBe(
      'us-east: ready (lag 0 ms)\n' +
        'eu-west: pending (peer unreachable)\n' +
        'eu-west: ready (lag 900 ms)\n',
    );
    const printed = JSON.parse(output.out.join('')) as { regions: Array<{ state: string }> };
    expect(printed.regions.map((region) => region.state)).toEqual(['ready', 'ready']);
  });

  it('waits only for the regions asked for', async () => {
    const output = captureOutput();
    try {
      await status({ registry, output: 'json' }, 'team/stuck:v1', {
        wait: true,
        regions: 'us-east',
        timeout: '10s',
      });
    } finally {
      output.restore();
    }
    expect(JSON.parse(output.out.join(''))).toMatchObject({ regions: [{ region: 'us-east' }] });
  });

  it('times out with exit 4, naming the regions still waiting and why', async () => {
    const output = captureOutput();
    let failure: unknown;
    try {
      await status({ registry, output: 'json' }, 'team/stuck:v1', {
        wait: true,
        timeout: '200ms',
        interval: '50ms',
      });
    } catch (error) {
      failure = error;
    } finally {
      output.restore();
    }
    expect(failure).toBeInstanceOf(CliError);
    expect(failure).toMatchObject({
      code: 'TIMEOUT',
      exitCode: 4,
      message:
        'team/stuck:v1 is not ready after 200ms in eu-west (pending since 2026-01-01T00:00:00.000Z: peer unreachable)',
    });
    expect(output.out).toEqual([]);
  });
});

describe('replication lag', () => {
  let server: Server;
  let registry: string;
  const asked: string[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      const url = new URL(request.url!, 'http://x');
      if (url.pathname === '/v2/') return void response.writeHead(200).end('{}');
      asked.push(`${url.pathname}?${url.searchParams}`);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          region: 'us-east',
          sampleIntervalSeconds: 60,
          peers: [
            {
              region: 'eu-west',
              samples: [
                { time: '2026-01-01T00:00:00.000Z', lagMs: 0, pending: 0, connected: true },
                { time: '2026-01-01T00:01:00.000Z', lagMs: 4200, pending: 3, connected: false },
              ],
            },
            { region: 'ap-south', samples: [] },
          ],
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    registry = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('prints a row per sample and peer, asking for the minutes given', async () => {
    const out: string[] = [];
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    try {
      await lag({ registry, output: 'table' }, { minutes: '15' });
    } finally {
      stdout.mockRestore();
    }
    expect(asked).toEqual(['/api/v1/replication/lag-history?minutes=15']);
    const cells = out
      .join('')
      .split('\n')
      .filter((line) => line.startsWith('│'))
      .map((line) =>
        line
          .split('│')
          .slice(1, -1)
          .map((cell) => cell.trim()),
      );
    expect(cells).toEqual([
      ['Peer', 'Time', 'LagMs', 'Pending', 'Connected'],
      ['eu-west', '2026-01-01T00:00:00.000Z', '0', '0', 'true'],
      ['eu-west', '2026-01-01T00:01:00.000Z', '4200', '3', 'false'],
    ]);
  });

  it('refuses minutes out of range before asking the registry', async () => {
    await expect(lag({ registry }, { minutes: '0' })).rejects.toMatchObject({
      message: expect.stringContaining('--minutes must be a whole number from 1 to 1440'),
    });
    await expect(lag({ registry }, { minutes: 'ten' })).rejects.toBeInstanceOf(CliError);
    expect(asked).toHaveLength(1);
  });
});
