/**
 * The NATS credentials `npm start` generates, against real nats-servers configured as the
 * launcher configures them (two regions joined by a leaf node link): a connection without
 * credentials is refused, each service does its own work, and nothing outside its
 * permissions — a scan user creating a service principal, the gateway answering auth's
 * RPCs or creating streams — gets through.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type MeridianService,
  authManagementRpc,
  eventStreamName,
  eventSubject,
  pullStreamName,
  pullSubject,
  pullSubjectWildcard,
} from '@meridian/contracts';
import {
  EventPublisher,
  type FakeAnswer,
  Nats,
  RpcClient,
  ensureEventStream,
  fakeAnswer,
  startFakeRpcService,
} from '@meridian/messaging';
import { startNatsServer as startNatsServerProcess } from '@meridian/process';
import { createLogger } from '@meridian/telemetry';
import {
  type TestNatsServer,
  expectEventually,
  freePort,
  startNatsServer,
} from '@meridian/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, nkeys } from '@nats-io/transport-node';
import {
  type NatsCredentials,
  observerConnectOptions,
  resolveNatsCredentials,
} from '../src/nats-credentials';

const logger = createLogger({ service: 'test', region: 'us-east', level: 'silent' });

describe('the NATS credentials of the embedded default', () => {
  let dataDir: string;
  let credentials: NatsCredentials;
  let usEast: TestNatsServer;
  let euWest: TestNatsServer;
  const connected: { close(): Promise<void> }[] = [];
  let leafPort: number;

  const optionsOf = (service: MeridianService, region: string) => ({
    servers: (region === 'us-east' ? usEast : euWest).url,
    region,
    service,
    logger,
    requestTimeoutMs: 1000,
    auth: { nkeySeed: credentials.seedOf(region, service) },
  });

  const connectAs = async (service: MeridianService, region = 'us-east') => {
    const nats = await Nats.connect(optionsOf(service, region));
    connected.push(nats);
    return nats;
  };

  /** the service answering `answers` as itself, with its own credentials */
  const serveAs = async (service: MeridianService, answers: FakeAnswer[]) => {
    const served = await startFakeRpcService(optionsOf(service, 'us-east'), answers);
    connected.push(served);
    return served;
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'meridian-nats-auth-'));
    credentials = await resolveNatsCredentials(dataDir, ['us-east', 'eu-west']);
    leafPort = await freePort();
    const leafUser = credentials.leafUserOf('eu-west');
    usEast = await startNatsServer({
      serverName: 'us-east',
      jetStreamDomain: 'us-east',
      users: credentials.usersOf('us-east'),
      leafnodes: { listen: { host: '127.0.0.1', port: leafPort }, users: [leafUser] },
    });
    euWest = await startNatsServer({
      serverName: 'eu-west',
      jetStreamDomain: 'eu-west',
      users: credentials.usersOf('eu-west'),
      leafnodes: {
        remotes: [`nats-leaf://${leafUser.user}:${leafUser.password}@127.0.0.1:${leafPort}`],
      },
    });
  });

  afterAll(async () => {
    await Promise.all(connected.map((connection) => connection.close()));
    await euWest?.stop();
    await usEast?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps the credentials readable by their owner only, and the same on the next start', async () => {
    expect((await stat(credentials.file)).mode & 0o777).toBe(0o600);
    const again = await resolveNatsCredentials(dataDir, ['us-east', 'eu-west']);
    expect(again.seedOf('us-east', 'auth')).toBe(credentials.seedOf('us-east', 'auth'));
    expect(again.seedOf('us-east', 'auth')).not.toBe(credentials.seedOf('eu-west', 'auth'));
    expect(credentials.seedOf('us-east', 'auth')).not.toBe(credentials.seedOf('us-east', 'scan'));
  });

  it('refuses a connection without credentials, or with an unknown key', async () => {
    await expect(connect({ servers: usEast.url, reconnect: false })).rejects.toThrow(
      /authorization violation/i,
    );
    const stranger = new TextDecoder().decode(nkeys.createUser().getSeed());
    await expect(
      Nats.connect({
        servers: usEast.url,
        region: 'us-east',
        service: 'auth',
        logger,
        auth: { nkeySeed: stranger },
      }),
    ).rejects.toThrow(/authorization violation/i);
  });

  it('lets the gateway call auth, and refuses the same call from the scan service', async () => {
    const calls: string[] = [];
    await serveAs('auth', [
      fakeAnswer(authManagementRpc.servicePrincipalPut, async ({ id }) => {
        calls.push(id);
        const now = new Date().toISOString();
        return {
          servicePrincipal: { id, roles: ['Owner' as const], createdAt: now, updatedAt: now },
          created: true,
        };
      }),
    ]);
    const gateway = new RpcClient(await connectAs('gateway'));
    await expectEventually(async () =>
      expect(
        await gateway.request(authManagementRpc.servicePrincipalPut, { id: 'ci' }),
      ).toMatchObject({ created: true }),
    );

    const scan = new RpcClient(await connectAs('scan'));
    await expect(
      scan.request(authManagementRpc.servicePrincipalPut, { id: 'intruder', roles: ['Owner'] }),
    ).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(calls).not.toContain('intruder');
  });

  it("refuses the gateway a subscription to auth's RPCs", async () => {
    const gateway = await connectAs('gateway');
    const errors: Error[] = [];
    gateway.connection.subscribe('meridian.us-east.rpc.auth.>', {
      queue: 'auth',
      callback: (err) => {
        if (err) errors.push(err);
      },
    });
    await expectEventually(() =>
      expect(errors.map(String).join()).toMatch(/permissions violation for subscription/i),
    );
  });

  it('refuses the gateway stream management and event publishing', async () => {
    const gateway = await connectAs('gateway');
    const jsm = await jetstreamManager(gateway.connection, { timeout: 1000 });
    await expect(
      jsm.streams.add({ name: 'STOLEN', subjects: ['meridian.us-east.rpc.>'] }),
    ).rejects.toThrow();
    await expect(jsm.streams.delete(eventStreamName('us-east'))).rejects.toThrow();
    await expect(
      gateway
        .jetStream()
        .publish(eventSubject('us-east', 'manifest.pushed.v1'), '{}', { timeout: 1000 }),
    ).rejects.toThrow();
  });

  it('lets each service do its own work: events, pulls and their streams', async () => {
    const manifest = await connectAs('manifest');
    await ensureEventStream(await manifest.jetStreamManager(), 'us-east');
    await new EventPublisher(manifest).publishEvent(
      eventSubject('us-east', 'manifest.pushed.v1'),
      { a: 1 },
      'e-1',
    );

    const webhook = await connectAs('webhook');
    // as the webhook service creates it (apps/webhook region-pulls.stream.ts)
    await (
      await webhook.jetStreamManager()
    ).streams.add({ name: pullStreamName('us-east'), subjects: [pullSubjectWildcard('us-east')] });
    const gateway = await connectAs('gateway');
    const pullStreamExists = await (
      await gateway.jetStreamManager()
    ).streams
      .info(pullStreamName('us-east'))
      .then(() => true);
    expect(pullStreamExists).toBe(true);
    new EventPublisher(gateway).publishWithoutAck(
      pullSubject('us-east', 'image.pulled.v1'),
      { a: 1 },
      'p-1',
    );

    const jsm = await webhook.jetStreamManager();
    await expectEventually(async () =>
      expect((await jsm.streams.info(pullStreamName('us-east'))).state.messages).toBe(1),
    );
    expect((await jsm.streams.info(eventStreamName('us-east'))).state.messages).toBe(1);
  });

  it("lets the observer watch the region's events, and nothing more", async () => {
    const observer = await connect({
      servers: usEast.url,
      ...(await observerConnectOptions(dataDir, 'us-east')),
    });
    try {
      const seen: string[] = [];
      observer.subscribe(eventSubject('us-east', '>'), {
        callback: (_err, msg) => {
          seen.push(msg.subject);
        },
      });
      await observer.flush();
      const blob = await connectAs('blob');
      await new EventPublisher(blob).publishEvent(
        eventSubject('us-east', 'blob.deleted.v1'),
        { a: 1 },
        'e-2',
      );
      await expectEventually(() =>
        expect(seen).toContain(eventSubject('us-east', 'blob.deleted.v1')),
      );
      await expect(
        observer.request(authManagementRpc.servicePrincipalPut.subject('us-east'), '{}', {
          timeout: 500,
        }),
      ).rejects.toThrow();
    } finally {
      await observer.close();
    }
  });

  it('refuses a leaf node link without the leaf node password', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meridian-rogue-leaf-'));
    const lines: string[] = [];
    const rogue = await startNatsServerProcess({
      configDir: dir,
      jetStream: false,
      leafnodes: { remotes: [`nats-leaf://127.0.0.1:${leafPort}`] },
      onLine: (line) => lines.push(line.text),
    });
    try {
      await expectEventually(() => expect(lines.join('\n')).toMatch(/authorization violation/i), {
        timeoutMs: 15_000,
      });
    } finally {
      await rogue.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("links the regions with the leaf node user: eu-west's replication reaches us-east's JetStream", async () => {
    const replication = await connectAs('replication', 'eu-west');
    const info = await expectEventually(
      () => replication.connection.request('$JS.us-east.API.INFO', '', { timeout: 1000 }),
      { timeoutMs: 15_000 },
    );
    expect(info.json<{ domain?: string }>().domain).toBe('us-east');
  });
});
