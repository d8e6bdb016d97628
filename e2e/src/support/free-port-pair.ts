/**
 * Ports for the launcher's default two regions: it gives the first region's gateway
 * MERIDIAN_PORT and the next region's the port after it, so both must be free.
 */
import { createServer } from 'node:net';
import { freePort } from '@meridian/testing';

/** A port whose successor is free too: the second region's gateway takes it. */
export async function freePortPair(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port < 65_535 && (await isFree(port + 1))) return port;
  }
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const server = createServer();
    server.once('error', () => resolveFree(false));
    server.listen({ host: '127.0.0.1', port }, () => server.close(() => resolveFree(true)));
  });
}
