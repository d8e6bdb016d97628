/**
 * Stands in for the auth service in gateway integration tests: it answers `auth.keys` and
 * `auth.token` over the test's real NATS with a real key pair, so the gateway under test
 * verifies real signatures exactly as it verifies the auth service's. The tests need what
 * the auth service never gives out: its private keys, to mint tokens with a wrong
 * audience, a past expiry or a forged claim, and to rotate keys at will. (The auth
 * service itself is proven by its own tests and, with the gateway, by the e2e tests.)
 *
 * Accounts are a user name, a password and the actions each may have on a repository;
 * a token grants the intersection of what was asked and what the account may do.
 */
import {
  type AccessEntry,
  type Identity,
  type PublicJwk,
  RegistryError,
  type RpcRequest,
  authRpc,
} from '@meridian/contracts';
import { type FakeRpcService, fakeAnswer, startFakeRpcService } from '@meridian/messaging';
import { createLogger } from '@meridian/telemetry';
import { type CryptoKey, SignJWT, exportJWK, generateKeyPair } from 'jose';
import { parseScope } from '../src/auth/access-scope';

export interface TestAccount {
  password: string;
  /** the actions this account may have on `entry` (a subset of those asked) */
  allows(entry: AccessEntry): string[];
}

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: PublicJwk;
}

export interface MintOptions {
  access?: AccessEntry[];
  sub?: string;
  /** the caller's kind, as the auth service names it in the `kind` claim */
  kind?: Identity['kind'];
  /** the caller's registry-wide roles (`Owner`, `Reader`...), as the `roles` claim */
  roles?: string[];
  iss?: string;
  aud?: string;
  /** seconds from now (negative: already expired) */
  expiresInSeconds?: number;
  key?: SigningKey;
}

type TokenRequest = RpcRequest<typeof authRpc.token>;

export const testIssuer = 'meridian-test-auth';

export const everything: TestAccount['allows'] = (entry) => entry.actions;

export class TestTokenIssuer {
  /** the keys `auth.keys` publishes; the last one signs */
  readonly published: SigningKey[] = [];
  anonymousPull = false;
  readonly accounts = new Map<string, TestAccount>();
  /** every `auth.token` request received, in order: what the gateway passed on */
  readonly tokenRequests: TokenRequest[] = [];

  private service?: FakeRpcService;

  private constructor(readonly audience: string) {}

  static async start(options: {
    natsUrl: string;
    region: string;
    audience: string;
  }): Promise<TestTokenIssuer> {
    const issuer = new TestTokenIssuer(options.audience);
    issuer.published.push(await TestTokenIssuer.generateKey('test-key-1'));
    issuer.service = await startFakeRpcService(
      {
        servers: options.natsUrl,
        region: options.region,
        service: 'auth',
        logger: createLogger({ service: 'test-auth', region: options.region, level: 'warn' }),
      },
      [
        fakeAnswer(authRpc.keys, async () => ({
          issuer: testIssuer,
          keys: issuer.published.map((key) => key.jwk),
          anonymousPull: issuer.anonymousPull,
        })),
        fakeAnswer(authRpc.token, async (request) => issuer.issue(request)),
      ],
    );
    return issuer;
  }

  static async generateKey(kid: string): Promise<SigningKey> {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    return {
      kid,
      privateKey,
      jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } as PublicJwk,
    };
  }

  /** A new key signs from now on; the old ones stay published (they verify live tokens). */
  async rotate(): Promise<SigningKey> {
    const key = await TestTokenIssuer.generateKey(`test-key-${this.published.length + 1}`);
    this.published.push(key);
    return key;
  }

  get signingKey(): SigningKey {
    return this.published.at(-1)!;
  }

  mint(options: MintOptions = {}): Promise<string> {
    const key = options.key ?? this.signingKey;
    const now = Math.floor(Date.now() / 1000);
    const kind = options.kind !== undefined ? { kind: options.kind } : {};
    const roles = options.roles !== undefined ? { roles: options.roles } : {};
    return new SignJWT({ access: options.access ?? [], ...kind, ...roles })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid, typ: 'JWT' })
      .setIssuer(options.iss ?? testIssuer)
      .setAudience(options.aud ?? this.audience)
      .setSubject(options.sub ?? 'test-user')
      .setIssuedAt(now)
      .setExpirationTime(now + (options.expiresInSeconds ?? 300))
      .sign(key.privateKey);
  }

  /** An Authorization header with a token from `mint`. */
  async bearer(options: MintOptions = {}): Promise<{ authorization: string }> {
    return { authorization: `Bearer ${await this.mint(options)}` };
  }

  /** The header of a service principal holding `roles` and no repository access. */
  asRoles(roles: string[]): Promise<{ authorization: string }> {
    return this.bearer({ roles, kind: 'service-principal', sub: `caller-${roles.join('-')}` });
  }

  async close(): Promise<void> {
    await this.service?.close();
  }

  private async issue(request: TokenRequest) {
    this.tokenRequests.push(request);
    const asked = request.scopes.map(parseScope).filter((entry) => entry !== undefined);
    const { sub, allows } = this.authenticate(request.credentials);
    const access = asked
      .map((entry) => ({ ...entry, actions: allows(entry) }))
      .filter((entry) => entry.actions.length > 0);
    const expiresIn = 300;
    const identity = identityOf(sub);
    return {
      accessToken: await this.mint({
        access,
        sub,
        kind: identity.kind,
        expiresInSeconds: expiresIn,
      }),
      expiresIn,
      issuedAt: new Date().toISOString(),
      identity,
      access,
    };
  }

  private authenticate(credentials: TokenRequest['credentials']): {
    sub: string;
    allows: TestAccount['allows'];
  } {
    if (credentials === undefined) {
      return {
        sub: '',
        allows: (entry) =>
          this.anonymousPull && entry.type === 'repository'
            ? entry.actions.filter((action) => action === 'pull')
            : [],
      };
    }
    if (credentials.grant !== 'password') {
      throw new RegistryError('UNAUTHORIZED', 'refresh tokens are not issued here');
    }
    const account = this.accounts.get(credentials.username);
    if (account === undefined || account.password !== credentials.password) {
      throw new RegistryError('UNAUTHORIZED', 'invalid user name or password');
    }
    return { sub: credentials.username, allows: account.allows };
  }
}

function identityOf(sub: string): Identity {
  if (sub === '') return { kind: 'anonymous', name: 'anonymous', roles: [] };
  return { kind: sub === 'admin' ? 'admin' : 'service-principal', name: sub, roles: [] };
}
