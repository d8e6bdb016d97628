import { carriesCredential, redactCustomHeaders, redactedValue } from './redact-headers';

describe(redactCustomHeaders.name, () => {
  it.each([
    'Authorization',
    'Proxy-Authorization',
    'Cookie',
    'X-Api-Key',
    'X-Auth-Token',
    'X-Client-Secret',
    'X-Password',
    'Private-Key',
  ])('redacts the value of a custom %s header', (name) => {
    const sent = { [name]: 'the credential', 'content-type': 'application/json' };

    const logged = redactCustomHeaders(sent, { [name]: 'the credential' });

    expect(logged).toEqual({ [name]: redactedValue, 'content-type': 'application/json' });
    expect(sent[name]).toBe('the credential');
  });

  it('logs other custom headers as sent', () => {
    const custom = { 'X-Team': 'platform', 'X-Environment': 'staging' };

    expect(redactCustomHeaders({ ...custom }, custom)).toEqual(custom);
  });

  it("leaves Meridian's own headers alone, although their names look like credentials", () => {
    const sent = { 'idempotency-key': 'e1b2', 'x-meridian-event-id': 'e1b2' };

    expect(redactCustomHeaders(sent, { 'X-Team': 'platform' })).toEqual(sent);
  });

  it('knows credential names whatever their case', () => {
    expect(carriesCredential('AUTHORIZATION')).toBe(true);
    expect(carriesCredential('x-api-key')).toBe(true);
    expect(carriesCredential('X-Request-Source')).toBe(false);
  });
});
