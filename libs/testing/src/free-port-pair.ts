/**
 * Ports for the launcher's regions (two by default): it gives the first region's gateway
 * MERIDIAN_PORT and each next region's the port after it, so all must be free — and must
 * stay free while the launcher starts. The launcher's nats-servers, Postgres and the
 * services' health servers take ports the kernel hands out (the ephemeral range), possibly
 * before the other gateways bind; so the run is chosen below that range, where the kernel
 * never hands a port out by itself, as `npm start`'s own 5000 and 5001 are.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';

const lowestPort = 10_000;

/** A free port whose successor is free too, both outside the kernel's ephemeral range. */
export function freePortPair(): Promise<number> {
  return freePortRun(2);
}

/** The first of `count` free ports in a row (one per region), outside the ephemeral range. */
export async function freePortRun(count: number): Promise<number> {
  const ephemeralLow = await ephemeralRangeStart();
  const span = ephemeralLow - count - lowestPort;
  for (let attempt = 0; attempt < 1_000; attempt++) {
    const port = lowestPort + Math.floor(Math.random() * span);
    if (await allFree(port, count)) return port;
  }
  throw new Error(`no ${count} free ports in a row between ${lowestPort} and ${ephemeralLow}`);
}

async function allFree(first: number, count: number): Promise<boolean> {
  for (let port = first; port < first + count; port++) if (!(await isFree(port))) return false;
  return true;
}

/** The first port of Linux's ephemeral range (32768 unless the machine says otherwise). */
async function ephemeralRangeStart(): Promise<number> {
  const range = await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').catch(() => '');
  const low = Number(range.trim().split(/\s+/)[0]);
  return Number.isInteger(low) && low > lowestPort + 100 ? low : 32_768;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const server = createServer();
    server.once('error', () => resolveFree(false));
    server.listen({ host: '127.0.0.1', port }, () => server.close(() => resolveFree(true)));
  });
}
