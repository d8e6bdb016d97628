/**
 * A TCP proxy a test puts in a link (the leaf node link between two regions' nats-servers)
 * to break it in the two ways networks break:
 * - `cut()`: every connection is closed and new ones are refused, so both ends know at once;
 * - `blackHole()`: a partition. Connections stay open but no byte crosses in either
 *   direction (held, as a router's queue would, not lost), and a new connection is accepted
 *   but never reaches the other side. Neither end notices until its own pings go unanswered.
 * `restore()` heals either: held bytes flow again, new connections reach the target.
 * `blackHoleAfter(bytes)` partitions the link once that many bytes came back from the target:
 * a transfer that stalls mid-way, at a point a test can name.
 */
import { type Server, type Socket, connect, createServer } from 'node:net';

export class TcpProxy {
  private readonly pairs = new Set<[Socket, Socket]>();
  private readonly stranded = new Set<Socket>();
  private mode: 'open' | 'cut' | 'black-hole' = 'open';
  private connections = 0;
  private answered = 0;
  private blackHoleAt?: number;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  /** Listens on a free port of 127.0.0.1 and forwards to `target`. */
  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const server = createServer();
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: 0 }, () => {
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : 0);
      });
    });
    const proxy = new TcpProxy(server, port, target);
    server.on('connection', (client) => proxy.accept(client));
    return proxy;
  }

  /** connections forwarded to the target so far */
  get connectionsMade(): number {
    return this.connections;
  }

  cut(): void {
    this.mode = 'cut';
    for (const [client, upstream] of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
    this.dropStranded();
  }

  blackHole(): void {
    this.mode = 'black-hole';
    for (const [client, upstream] of this.pairs) {
      client.unpipe(upstream).pause();
      upstream.unpipe(client).pause();
    }
  }

  /** A black hole once `bytes` more have come back from the target, counted from now. */
  blackHoleAfter(bytes: number): void {
    this.blackHoleAt = this.answered + bytes;
  }

  restore(): void {
    const wasBlackHole = this.mode === 'black-hole';
    this.mode = 'open';
    if (wasBlackHole) for (const [client, upstream] of this.pairs) this.pipe(client, upstream);
    // connections accepted during the partition never got through: their ends will redial
    this.dropStranded();
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    client.on('error', () => client.destroy());
    if (this.mode === 'cut') {
      client.destroy();
      return;
    }
    if (this.mode === 'black-hole') {
      client.pause();
      this.stranded.add(client);
      client.on('close', () => this.stranded.delete(client));
      return;
    }
    const upstream = connect(this.target);
    this.connections += 1;
    const pair: [Socket, Socket] = [client, upstream];
    this.pairs.add(pair);
    upstream.on('error', () => upstream.destroy());
    upstream.on('data', (chunk: Buffer) => {
      this.answered += chunk.length;
      if (this.blackHoleAt !== undefined && this.answered >= this.blackHoleAt) {
        this.blackHoleAt = undefined;
        this.blackHole();
      }
    });
    for (const [from, to] of [pair, [upstream, client] as const]) {
      from.on('close', () => {
        this.pairs.delete(pair);
        to.destroy();
      });
    }
    this.pipe(client, upstream);
  }

  private pipe(client: Socket, upstream: Socket): void {
    client.pipe(upstream);
    upstream.pipe(client);
  }

  private dropStranded(): void {
    for (const socket of this.stranded) socket.destroy();
    this.stranded.clear();
  }
}
