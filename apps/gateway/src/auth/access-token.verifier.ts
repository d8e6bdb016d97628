/**
 * Verifies access tokens in the gateway itself, with the auth service's public keys
 * (AuthKeysSource), so no request waits on NATS. A token passes only when:
 * - its header names `ES256` or `RS256` and a `kid` among the keys, whose own `alg` agrees
 *   (`none`, HMAC and key confusion are refused before any signature is checked);
 * - its signature verifies (a tampered claim does not);
 * - `iss` is the auth service's issuer, `aud` this registry's name, `exp` is ahead and `nbf`
 *   (if any) behind, with `clockToleranceSeconds` of slack between machines;
 * - `access` is a list of `{type, name, actions}`.
 * A key id the copy lacks gets one (rate limited) refetch: a key rotated in a moment ago.
 *
 * Verified tokens are remembered (bounded, until they expire or the key set changes), so
 * a client pulling fifty layers with one token pays for one signature check.
 */
import { type AccessEntry, Identity, type PublicJwk } from '@meridian/contracts';
import { type CryptoKey, type JWTPayload, errors, importJWK, jwtVerify } from 'jose';
import { z } from 'zod';
import { LruMap } from '../caching/lru-map';
import type { AuthKeys, AuthKeysSource } from './auth-keys.cache';
import { anonymousIdentity } from './known-identities';

export interface VerifiedToken {
  identity: Identity;
  access: AccessEntry[];
}

export interface AccessTokenVerifier {
  /** the token's identity and access; throws TokenRefusedError when it is not to be trusted */
  verify(token: string): Promise<VerifiedToken>;
}

/** Why a token was refused; said to nobody but the logs (the client only hears 401). */
export class TokenRefusedError extends Error {
  override readonly name = 'TokenRefusedError';
}

export const tokenAlgorithms = ['ES256', 'RS256'] as const;

const AccessClaim = z.array(
  z.object({
    type: z.string(),
    name: z.string(),
    actions: z.array(z.string()),
    repositories: z.array(z.string()).optional(),
  }),
);

export interface JwksAccessTokenVerifierOptions {
  keys: AuthKeysSource;
  /** the registry name tokens must be issued for (`aud`) */
  audience: string;
  clockToleranceSeconds?: number;
  now?: () => number;
  maxRememberedTokens?: number;
}

export class JwksAccessTokenVerifier implements AccessTokenVerifier {
  private importedKeys = new Map<string, Promise<CryptoKey | Uint8Array>>();
  private remembered: LruMap<string, VerifiedToken & { until: number }>;
  private keySet = '';
  private lastKeys?: AuthKeys;
  private readonly maxRememberedTokens: number;
  private readonly toleranceSeconds: number;
  private readonly now: () => number;

  constructor(private readonly options: JwksAccessTokenVerifierOptions) {
    this.toleranceSeconds = options.clockToleranceSeconds ?? 10;
    this.now = options.now ?? Date.now;
    this.maxRememberedTokens = options.maxRememberedTokens ?? 10_000;
    this.remembered = new LruMap({ maxEntries: this.maxRememberedTokens });
  }

  async verify(token: string): Promise<VerifiedToken> {
    const keys = await this.options.keys.current();
    this.forgetOnKeyChange(keys);
    const known = this.remembered.get(token);
    if (known !== undefined && this.now() < known.until) return known;

    const payload = await this.verifySignatureAndClaims(token, keys);
    const access = AccessClaim.safeParse(payload['access'] ?? []);
    if (!access.success) throw new TokenRefusedError('the access claim is malformed');
    const verified: VerifiedToken = { identity: identityOf(payload), access: access.data };
    const until = ((payload.exp ?? 0) + this.toleranceSeconds) * 1000;
    this.remembered.set(token, { ...verified, until });
    return verified;
  }

  /** A key withdrawn or an issuer changed: what was verified with the old set is verified again. */
  private forgetOnKeyChange(keys: AuthKeys): void {
    if (keys === this.lastKeys) return;
    this.lastKeys = keys;
    const keySet = JSON.stringify([keys.issuer, keys.keys]);
    if (keySet === this.keySet) return;
    this.keySet = keySet;
    this.remembered = new LruMap({ maxEntries: this.maxRememberedTokens });
    this.importedKeys = new Map();
  }

  private async verifySignatureAndClaims(token: string, keys: AuthKeys): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(
        token,
        async (header) => {
          const jwk = await this.findKey(header.kid, keys);
          if (jwk.alg !== header.alg)
            throw new TokenRefusedError('the key is for another algorithm');
          return this.importKey(jwk);
        },
        {
          algorithms: [...tokenAlgorithms],
          issuer: keys.issuer,
          audience: this.options.audience,
          requiredClaims: ['exp'],
          clockTolerance: this.toleranceSeconds,
          currentDate: new Date(this.now()),
        },
      );
      return payload;
    } catch (error) {
      if (error instanceof TokenRefusedError) throw error;
      if (error instanceof errors.JOSEError) throw new TokenRefusedError(error.code);
      throw error;
    }
  }

  private async findKey(kid: string | undefined, keys: AuthKeys): Promise<PublicJwk> {
    if (kid === undefined) throw new TokenRefusedError('the token names no key');
    const cached = keys.keys.find((key) => key.kid === kid);
    if (cached !== undefined) return cached;
    const fresh = await this.options.keys.refetch();
    const rotatedIn = fresh.keys.find((key) => key.kid === kid);
    if (rotatedIn === undefined) throw new TokenRefusedError('the token names an unknown key');
    return rotatedIn;
  }

  private importKey(jwk: PublicJwk): Promise<CryptoKey | Uint8Array> {
    let imported = this.importedKeys.get(jwk.kid);
    if (imported === undefined) {
      imported = importJWK(publicPart(jwk), jwk.alg);
      this.importedKeys.set(jwk.kid, imported);
    }
    return imported;
  }
}

/**
 * The caller as the token names them: `sub` (empty for the anonymous caller), and the
 * optional `kind` and `roles` claims the auth service may add (roles count on the management
 * API; a token without them has none).
 */
function identityOf(payload: JWTPayload): Identity {
  const kind = Identity.shape.kind.safeParse(payload['kind']);
  const roles = z.array(z.string()).safeParse(payload['roles']);
  const name = payload.sub ?? '';
  if (name === '' || kind.data === 'anonymous') return anonymousIdentity;
  return {
    kind: kind.success ? kind.data : 'token',
    name,
    roles: roles.success ? roles.data : [],
  };
}

/** Only the public members of a key are imported, whatever else a key entry carries. */
function publicPart(jwk: PublicJwk): Record<string, unknown> {
  const {
    d: _d,
    p: _p,
    q: _q,
    dp: _dp,
    dq: _dq,
    qi: _qi,
    ...rest
  } = jwk as Record<string, unknown>;
  return { ...rest, ext: true };
}
