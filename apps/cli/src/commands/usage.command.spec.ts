/**
 * `show-usage --all-regions` against a small registry on a loopback port (authentication
 * off) answering every region's usage: a row per region's store and per repository of it,
 * and a region that did not answer listed as unavailable with its reason.
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { showUsage } from './usage.command';
import { captureOutput } from '../../test/capture-output';

describe('show-usage', () => {
  let server: Server;
  let registry: string;
  const asked: string[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      const url = new URL(request.url!, 'http://x');
      if (url.pathname === '/v2/') return void response.writeHead(200).end('{}');
      asked.push(url.pathname);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          regions: [
            {
              region: 'us-east',
              available: true,
              bytes: 3000,
              blobCount: 3,
              manifestCount: 2,
              repositories: [
                {
                  name: 'team/app',
                  sizeBytes: 2000,
                  manifestCount: 2,
                  tagCount: 1,
                  uploadedBytes: 3000,
                },
              ],
            },
            { region: 'eu-west', available: false, error: 'no responders in eu-west' },
          ],
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    registry = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('prints every region, a silent one as unavailable', async () => {
    const { out, restore } = captureOutput();
    try {
      await showUsage({ registry, output: 'table' }, { allRegions: true });
    } finally {
      restore();
    }
    expect(asked).toEqual(['/api/v1/usage/regions']);
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
      ['Region', 'Name', 'Bytes', 'Manifests', 'Tags', 'QuotaBytes'],
      ['us-east', '(region us-east: 3 blobs)', '3000', '2', '', ''],
      ['us-east', 'team/app', '2000', '2', '1', ''],
      ['eu-west', '(unavailable: no responders in eu-west)', '', '', '', ''],
    ]);
  });
});
