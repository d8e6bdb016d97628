import { nkeyAuthenticator, nkeys } from '@nats-io/transport-node';
import { nkeySeedAuthenticator } from './nkey-authenticator';

describe('nkeySeedAuthenticator', () => {
  const seeds = Array.from({ length: 4 }, () =>
    new TextDecoder().decode(nkeys.createUser().getSeed()),
  );

  it('answers with the public key and the signature the nats client would send', () => {
    for (const seed of seeds) {
      const nonce = `nonce-${seed.slice(-6)}`;
      const expected = nkeyAuthenticator(new TextEncoder().encode(seed))(nonce);
      expect(nkeySeedAuthenticator(seed)(nonce)).toEqual(expected);
    }
  });

  it('signs so that the public key verifies the nonce', () => {
    const auth = nkeySeedAuthenticator(seeds[0]!)('a server nonce') as {
      nkey: string;
      sig: string;
    };
    const verifier = nkeys.fromPublic(auth.nkey);
    expect(
      verifier.verify(new TextEncoder().encode('a server nonce'), nkeys.decode(auth.sig)),
    ).toBe(true);
  });

  it('names the key of an account seed as an account', () => {
    const account = nkeys.createAccount();
    const seed = new TextDecoder().decode(account.getSeed());
    expect((nkeySeedAuthenticator(seed)() as { nkey: string }).nkey).toBe(account.getPublicKey());
  });

  it('refuses what is not a seed', () => {
    expect(() => nkeySeedAuthenticator('UABCDEF')).toThrow();
  });
});
