/**
 * A webhook receiver for the tests: a real HTTP server on 127.0.0.1 that records every
 * request and answers as the test says (a status, or never).
 */
import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expectEventually } from '@meridian/testing';

export interface ReceivedRequest {
  at: number;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: Record<string, unknown>;
}

/** a status to answer, or 'hang' to never answer */
export type Answer = number | 'hang';

export class HttpReceiver {
  readonly requests: ReceivedRequest[] = [];
  answer: (request: ReceivedRequest) => Answer = () => 200;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<HttpReceiver> {
    const holder: { receiver?: HttpReceiver } = {};
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const received: ReceivedRequest = {
          at: Date.now(),
          path: request.url ?? '/',
          headers: request.headers,
          body,
          json: JSON.parse(body) as Record<string, unknown>,
        };
        holder.receiver!.requests.push(received);
        const answer = holder.receiver!.answer(received);
        if (answer === 'hang') return;
        response.writeHead(answer, { 'content-type': 'text/plain' }).end(`answered ${answer}`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    holder.receiver = new HttpReceiver(server, `http://127.0.0.1:${port}/hook`);
    return holder.receiver;
  }

  /** The requests about one event (the idempotency key), once there are at least `count`. */
  async received(eventId: string, count = 1, timeoutMs = 20_000): Promise<ReceivedRequest[]> {
    return expectEventually(
      () => {
        const about = this.requests.filter(
          (request) => request.headers['idempotency-key'] === eventId,
        );
        expect(about.length).toBeGreaterThanOrEqual(count);
        return about;
      },
      { timeoutMs },
    );
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
