/**
 * `replication create | list` and their flags, against a small registry on a loopback port
 * (authentication off) whose replications answer the test scripts: the new region is
 * provisioning twice, then ready.
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CliError } from '../cli-error';
import { type ReplicationFlags, buildReplication, create, list } from './replication.commands';
import { captureOutput } from '../../test/capture-output';

describe(buildReplication.name, () => {
  it('builds a filesystem or an S3 store, the domain only when given', () => {
    expect(buildReplication({ storagePath: '/srv/ap-south' })).toEqual({
      storage: { type: 'filesystem', path: '/srv/ap-south' },
    });
    expect(
      buildReplication({
        natsDomain: 'south',
        s3Endpoint: 'https://s3.example',
        s3Bucket: 'meridian-south',
        s3AccessKeyId: 'AK',
        s3SecretAccessKey: 'SK',
        s3ForcePathStyle: true,
      }),
    ).toEqual({
      natsDomain: 'south',
      storage: {
        type: 's3',
        endpoint: 'https://s3.example',
        bucket: 'meridian-south',
        accessKeyId: 'AK',
        secretAccessKey: 'SK',
        forcePathStyle: true,
      },
    });
  });

  it.each<[string, ReplicationFlags, RegExp]>([
    ['no store', {}, /give --storage-path/],
    ['both stores', { storagePath: '/srv/x', s3Bucket: 'b' }, /give --storage-path/],
    ['a relative path', { storagePath: 'srv/x' }, /--storage-path: expected an absolute path/],
    [
      'an S3 store without its secret',
      { s3Endpoint: 'https://s3.example', s3Bucket: 'bucket', s3AccessKeyId: 'AK' },
      /--s3-secret-access-key/,
    ],
    ['a bad domain', { storagePath: '/srv/x', natsDomain: 'a b' }, /--nats-domain/],
  ])('refuses %s with a usage error', (_case, flags, message) => {
    expect(() => buildReplication(flags)).toThrow(
      expect.objectContaining({ exitCode: 2, message: expect.stringMatching(message) }),
    );
  });
});

describe('replication create and list', () => {
  let server: Server;
  let registry: string;
  const requests: string[] = [];
  let shown = 0;

  function view(status: string, extra: Record<string, unknown> = {}) {
    return {
      region: 'ap-south',
      natsDomain: 'ap-south',
      storage: { type: 'filesystem', path: '/srv/ap-south' },
      status,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
      local: false,
      ...extra,
    };
  }

  beforeAll(async () => {
    server = createServer((request, response) => {
      const url = new URL(request.url!, 'http://x');
      if (url.pathname === '/v2/') return void response.writeHead(200).end('{}');
      requests.push(`${request.method} ${url.pathname}`);
      let body: unknown;
      if (url.pathname === '/api/v1/replication/regions')
        body = {
          region: 'us-east',
          peers: [{ region: 'ap-south', connected: true, eventsPending: 0, copyBytesPerSecond: 0 }],
        };
      else if (url.pathname === '/api/v1/replications')
        body = {
          replications: [
            { ...view('ready'), region: 'us-east', local: true },
            view('provisioning', {
              statusReason: 'backfilling from us-east',
              provisioning: { compared: 20, repaired: 20 },
            }),
          ],
        };
      else {
        shown += 1;
        body =
          shown < 3
            ? view('provisioning', {
                statusReason: 'backfilling from us-east',
                provisioning: { compared: 20, repaired: 20 },
              })
            : view('ready');
      }
      response.writeHead(request.method === 'PUT' ? 201 : 200, {
        'content-type': 'application/json',
      });
      response.end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    registry = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('--wait asks again until the region is ready, a line per change', async () => {
    const output = captureOutput();
    try {
      await create({ registry, output: 'json' }, 'ap-south', {
        storagePath: '/srv/ap-south',
        wait: true,
        interval: '10ms',
        timeout: '10s',
      });
    } finally {
      output.restore();
    }
    expect(requests.filter((request) => request.includes('ap-south'))).toEqual([
      'PUT /api/v1/replications/ap-south',
      'GET /api/v1/replications/ap-south',
      'GET /api/v1/replications/ap-south',
    ]);
    expect(output.err.join('')).toBe(
      'ap-south: provisioning 20 compared, 20 repaired (backfilling from us-east)\n' +
        'ap-south: ready\n',
    );
    expect(JSON.parse(output.out.join(''))).toMatchObject({ region: 'ap-south', status: 'ready' });
  });

  it('refuses bad flags before asking the registry', async () => {
    const before = requests.length;
    await expect(create({ registry }, 'ap-south', {})).rejects.toBeInstanceOf(CliError);
    expect(requests).toHaveLength(before);
  });

  it('lists each replication with its status beside the link to it', async () => {
    const output = captureOutput();
    try {
      await list({ registry, output: 'table' });
    } finally {
      output.restore();
    }
    const rows = output.out
      .join('')
      .split('\n')
      .filter((line) => line.startsWith('│'))
      .map((line) =>
        line
          .split('│')
          .slice(1, 6)
          .map((cell) => cell.trim()),
      );
    expect(rows).toEqual([
      ['Region', 'Status', 'Reason', 'Progress', 'Connected'],
      ['us-east (this region)', 'ready', '', '', ''],
      ['ap-south', 'provisioning', 'backfilling from us-east', '20 compared, 20 repaired', 'true'],
    ]);
  });
});
