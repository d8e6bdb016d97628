import 'reflect-metadata';
import { createLogger } from '@meridian/telemetry';
import { loadConfig } from './src/config';
import { createGatewayApp } from './src/gateway-app';
import { randomBytes, createHash } from 'node:crypto';

async function main() {
  const config = loadConfig({ ...process.env, MERIDIAN_PORT: '15002' });
  const app = await createGatewayApp(
    config,
    createLogger({ service: 'gateway', region: 'us-east', level: 'warn' }),
  );
  await app.listen(15002, '127.0.0.1');
  const bytes = randomBytes(Number(process.env.SIZE));
  const digest = 'sha256:' + createHash('sha256').update(bytes).digest('hex');
  const base = 'http://127.0.0.1:15002';
  const loc = (await fetch(`${base}/v2/x/y/blobs/uploads/`, { method: 'POST' })).headers.get(
    'location',
  );
  console.log(
    'put',
    (await fetch(`${base}${loc}?digest=${digest}`, { method: 'PUT', body: bytes })).status,
  );
  const r = await fetch(`${base}/v2/x/y/blobs/${digest}`);
  console.log('get', r.status, (await r.arrayBuffer()).byteLength);
  const server = app.getHttpServer();
  if (process.env.DELAY) await new Promise((r) => setTimeout(r, 200));
  server.getConnections((e, n) => console.log('connections', n));
  const t = Date.now();
  await app.close();
  console.log('closed in', Date.now() - t);
}
void main();
