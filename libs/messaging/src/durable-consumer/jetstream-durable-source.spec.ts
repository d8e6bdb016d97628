import { deliveryCountOf } from './jetstream-durable-source';

describe(deliveryCountOf.name, () => {
  it('reads the delivery count of both forms of ack subject', () => {
    expect(
      deliveryCountOf(
        '$JS.ACK.MERIDIAN_US_EAST_EVENTS.replication-local.3.120.118.1765100000000000000.0',
      ),
    ).toBe(3);
    expect(
      deliveryCountOf(
        '$JS.ACK.us-east.ACCOUNTHASH.MERIDIAN_US_EAST_EVENTS.webhook.1.120.118.1765100000000000000.4.r4nd0m',
      ),
    ).toBe(1);
  });

  it('refuses what is not an ack subject', () => {
    expect(() => deliveryCountOf('_INBOX_us-east_blob.abc')).toThrow(/not a JetStream ack subject/);
    expect(() => deliveryCountOf('$JS.ACK.S.c.x.1.1.1.0')).toThrow(/no delivery count/);
  });
});
