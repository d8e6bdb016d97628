import { createServer } from 'node:net';

/**
 * A TCP port that was free a moment ago: the kernel picks it, we release it. Another
 * process can take it before ours binds, so whoever starts a server on it retries on
 * "address in use" (see `startNatsServer`).
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : undefined;
      server.close(() => (port ? resolve(port) : reject(new Error('no port was assigned'))));
    });
  });
}
