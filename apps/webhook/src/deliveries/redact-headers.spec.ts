import { redactCustomHeaders, redactedValue } from './redact-headers';

describe(redactCustomHeaders.name, () => {
  it.each(['Authorization', 'Cookie', 'X-Api-Key', 'X-Team'])(
    'redacts the value of a custom %s header',
    (name) => {
      const sent = { [name]: 'the value', 'content-type': 'application/json' };

      const logged = redactCustomHeaders(sent, { [name]: 'the value' });

      expect(logged).toEqual({ [name]: redactedValue, 'content-type': 'application/json' });
      expect(sent[name]).toBe('the value');
    },
  );

  it("leaves Meridian's own headers alone, although their names look like credentials", () => {
    const sent = { 'idempotency-key': 'e1b2', 'x-meridian-event-id': 'e1b2' };

    expect(redactCustomHeaders(sent, { 'X-Team': 'platform' })).toEqual(sent);
  });
});
