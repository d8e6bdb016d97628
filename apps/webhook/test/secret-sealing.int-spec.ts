/**
 * Webhook secrets at rest: a secret stored in the clear (a loopback system started without
 * MERIDIAN_WEBHOOK_SECRET_KEY) is sealed at the first start with a key, and still signs
 * deliveries. Real Postgres, nats-server and HTTP receiver.
 */
import { webhookRpc } from '@meridian/contracts';
import postgres from 'postgres';
import { verifySignature } from '../src/outbound/sign-payload';
import { SecretBox } from '@meridian/outbound';
import { HttpReceiver } from './http-receiver';
import { WebhookServiceHarness, region } from './webhook-service.harness';

jest.setTimeout(120_000);

const key = 'the operator key that seals webhook secrets';

describe('webhook secrets at rest', () => {
  let harness: WebhookServiceHarness;
  let receiver: HttpReceiver;
  let sql: postgres.Sql;

  beforeAll(async () => {
    harness = await WebhookServiceHarness.start({ MERIDIAN_WEBHOOK_SECRET_KEY: '' });
    receiver = await HttpReceiver.start();
    sql = postgres(harness.database.url, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await sql?.end();
    await receiver?.close();
    await harness?.dispose();
  });

  const stored = async (name: string) =>
    (
      await sql<Array<{ stored: string }>>`
        select record->>'storedSecret' as stored from webhook.webhooks where name = ${name}`
    )[0]!.stored;

  it('seals a secret kept in the clear at the first start with a key, and signs with it', async () => {
    const secret = 'a receiver secret of some length';
    await harness.rpc(webhookRpc.put, {
      name: 'clear',
      defaultRegion: region,
      settings: { serviceUri: receiver.url, actions: ['push'], secret },
    });
    expect(await stored('clear')).toBe(`plain:${secret}`);

    await harness.killService();
    await harness.startService({ MERIDIAN_WEBHOOK_SECRET_KEY: key });
    const sealed = await stored('clear');
    expect(sealed).toMatch(/^aes-256-gcm:/);
    expect(sealed).not.toContain(secret);
    expect(new SecretBox(key).open(sealed)).toBe(secret);

    const { eventId } = await harness.imageReady('team/sealed', 'latest');
    const [request] = await receiver.received(eventId);
    expect(
      verifySignature(
        secret,
        request!.headers['x-meridian-timestamp'] as string,
        request!.body,
        request!.headers['x-meridian-signature'] as string,
      ),
    ).toBe(true);
  });
});
