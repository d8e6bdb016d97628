/**
 * The link between two regions of a running launcher, put where a test can cut it: a TCP
 * proxy between eu-west's nats-server and us-east's leaf node listener. `insert()` points
 * eu-west's nats-server config at the proxy, makes us-east's advertise the proxy (a leaf
 * node adds the address its hub advertises to its remotes, and would otherwise redial the
 * hub directly once the proxy drops it) and crashes both servers; the launcher restarts
 * them from the same configs (it only writes one on a first start), so the leaf node link
 * now runs through the proxy, and only through it. `cut()` drops every connection and refuses new ones, with both
 * nats-servers and every service still running; `blackHole()` stops every byte without
 * closing anything (a partition); `restore()` lets the link come back.
 * The proxy must outlive the launcher (`close()` after it stopped).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TcpProxy, expectEventually } from '@meridian/testing';

export class LeafLinkProxy {
  private constructor(private readonly proxy: TcpProxy) {}

  /** Routes eu-west's link to us-east through a new proxy; resolves once the link is up through it. */
  static async insert(dataDir: string): Promise<LeafLinkProxy> {
    const hubPort = Number(
      (await readFile(join(dataDir, 'us-east', 'nats', 'leafnode-port'), 'utf8')).trim(),
    );
    const proxy = await TcpProxy.start({ host: '127.0.0.1', port: hubPort });
    const listen = `listen: "127.0.0.1:${hubPort}"`;
    // the remote URL carries eu-west's leaf node user and password before the host
    const direct = `@127.0.0.1:${hubPort}"`;
    await rewriteConfig(
      dataDir,
      'us-east',
      listen,
      `${listen}\n  advertise: "127.0.0.1:${proxy.port}"`,
    );
    await rewriteConfig(dataDir, 'eu-west', direct, `@127.0.0.1:${proxy.port}"`);
    for (const region of ['us-east', 'eu-west']) {
      const pidFile = join(dataDir, region, 'nats', 'nats-server.pid');
      process.kill(Number((await readFile(pidFile, 'utf8')).trim()), 'SIGKILL');
    }
    await expectEventually(() => expect(proxy.connectionsMade).toBeGreaterThan(0), {
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    return new LeafLinkProxy(proxy);
  }

  cut(): void {
    this.proxy.cut();
  }

  /** A partition: the link stays open but nothing crosses it (see libs/testing tcp-proxy.ts). */
  blackHole(): void {
    this.proxy.blackHole();
  }

  restore(): void {
    this.proxy.restore();
  }

  /** Closes the proxy: the link stays down until eu-west's config is pointed elsewhere. */
  close(): Promise<void> {
    return this.proxy.close();
  }
}

/** Replaces `from` by `to` in the region's nats-server config, which must contain it. */
async function rewriteConfig(dataDir: string, region: string, from: string, to: string) {
  const configFile = join(dataDir, region, 'nats', 'nats-server.conf');
  const config = await readFile(configFile, 'utf8');
  if (!config.includes(from)) throw new Error(`${configFile} does not contain ${from}`);
  await writeFile(configFile, config.replace(from, to));
}
