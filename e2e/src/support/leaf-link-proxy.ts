/**
 * The link between two regions of a running launcher, put where a test can cut it: a TCP
 * proxy between eu-west's nats-server and us-east's leaf node listener. `insert()` points
 * eu-west's nats-server config at the proxy and crashes that server; the launcher restarts
 * it from the same config (it only writes one on a first start), so the leaf node link now
 * runs through the proxy. `cut()` drops every connection and refuses new ones, with both
 * nats-servers and every service still running; `restore()` lets the link come back.
 * The proxy must outlive the launcher (`close()` after it stopped).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { type Server, type Socket, connect, createServer } from 'node:net';
import { join } from 'node:path';
import { expectEventually } from '@meridian/testing';

export class LeafLinkProxy {
  private readonly sockets = new Set<Socket>();
  private refusing = false;
  private server?: Server;
  private connectionsMade = 0;

  private constructor(private readonly hubPort: number) {}

  /** Routes eu-west's link to us-east through a new proxy; resolves once the link is up through it. */
  static async insert(dataDir: string): Promise<LeafLinkProxy> {
    const hubPort = Number(
      (await readFile(join(dataDir, 'us-east', 'nats', 'leafnode-port'), 'utf8')).trim(),
    );
    const proxy = new LeafLinkProxy(hubPort);
    const port = await proxy.listen();
    const natsDir = join(dataDir, 'eu-west', 'nats');
    const configFile = join(natsDir, 'nats-server.conf');
    const config = await readFile(configFile, 'utf8');
    // the remote URL carries eu-west's leaf node user and password before the host
    const direct = `@127.0.0.1:${hubPort}"`;
    if (!config.includes(direct)) throw new Error(`${configFile} does not connect to ${direct}`);
    await writeFile(configFile, config.replace(direct, `@127.0.0.1:${port}"`));
    const pid = Number((await readFile(join(natsDir, 'nats-server.pid'), 'utf8')).trim());
    process.kill(pid, 'SIGKILL');
    await expectEventually(() => expect(proxy.connectionsMade).toBeGreaterThan(0), {
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    return proxy;
  }

  cut(): void {
    this.refusing = true;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  restore(): void {
    this.refusing = false;
  }

  /** Closes the proxy: the link stays down until eu-west's config is pointed elsewhere. */
  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  private listen(): Promise<number> {
    this.server = createServer((client) => {
      if (this.refusing) {
        client.destroy();
        return;
      }
      const upstream = connect({ host: '127.0.0.1', port: this.hubPort });
      this.connectionsMade += 1;
      for (const [from, to] of [
        [client, upstream],
        [upstream, client],
      ] as const) {
        this.sockets.add(from);
        from.on('error', () => to.destroy());
        from.on('close', () => {
          this.sockets.delete(from);
          to.destroy();
        });
        from.pipe(to);
      }
    });
    return new Promise((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen({ host: '127.0.0.1', port: 0 }, () => {
        const address = this.server!.address();
        resolve(typeof address === 'object' && address ? address.port : 0);
      });
    });
  }
}
