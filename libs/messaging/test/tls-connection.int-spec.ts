/**
 * A NATS link that leaves the machine runs over TLS: with MERIDIAN_NATS_TLS_CA (`auth.tls`)
 * a service verifies the server against the operator's CA and connects; without it, a
 * server whose certificate no public CA signed is refused. Real nats-server with TLS, a CA
 * and server certificate made by openssl for the test.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@meridian/telemetry';
import { type TestNatsServer, startNatsServer } from '@meridian/testing';
import { Nats } from '../src';

const logger = createLogger({ service: 'test', region: 'us-east', level: 'silent' });

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

describe('a NATS connection over TLS', () => {
  let dir: string;
  let nats: TestNatsServer;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'meridian-nats-tls-'));
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    openssl(
      dir,
      'req',
      '-x509',
      ...ec,
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-subj',
      '/CN=meridian test CA',
      '-days',
      '1',
    );
    openssl(
      dir,
      'req',
      ...ec,
      '-keyout',
      'server.key',
      '-out',
      'server.csr',
      '-subj',
      '/CN=127.0.0.1',
    );
    await writeFile(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    openssl(
      dir,
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'server.crt',
      '-days',
      '1',
      '-extfile',
      'san.ext',
    );
    nats = await startNatsServer({
      extraConfig: `tls {\n  cert_file: ${JSON.stringify(join(dir, 'server.crt'))}\n  key_file: ${JSON.stringify(join(dir, 'server.key'))}\n}`,
    });
  });

  afterAll(async () => {
    await nats?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const tlsUrl = () => nats.url.replace(/^nats:/, 'tls:');

  it('connects when the server is verified against the configured CA', async () => {
    const messaging = await Nats.connect({
      servers: tlsUrl(),
      region: 'us-east',
      service: 'blob',
      logger,
      auth: { tls: { caFile: join(dir, 'ca.crt') } },
    });
    try {
      await messaging.connection.flush();
      expect(messaging.connection.info?.tls_required).toBe(true);
    } finally {
      await messaging.close();
    }
  });

  it('refuses a server its CA did not sign', async () => {
    await expect(
      Nats.connect({ servers: tlsUrl(), region: 'us-east', service: 'blob', logger }),
    ).rejects.toThrow();
  });
});
