/**
 * `auth.token`: the Docker token protocol's answer. An ES256 JWT signed with the region's
 * current key (header `kid`), claims `iss` (MERIDIAN_TOKEN_ISSUER, the same in every
 * region), `sub` (the identity's name), `aud` (the registry name the gateway asked for),
 * `iat`, `nbf`, `exp` (MERIDIAN_TOKEN_TTL_SECONDS, never past the expiry of the password
 * used), `jti`, `access` (what was asked, intersected with what the identity may do), and
 * `kind` and `roles` of the identity, so the gateway knows a Bearer caller of the
 * management API as well as one that sent Basic credentials.
 * With `offline`, a password login also gets a refresh token; a refresh login answers with
 * the same refresh token.
 */
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  type Identity,
  type RpcRequest,
  type RpcResponse,
  RegistryError,
  authRpc,
} from '@meridian/contracts';
import type { EventOrigin } from '@meridian/database';
import { SignJWT } from 'jose';
import { anonymousRights, grantAccess } from '../access/access-rights';
import { parseScopes } from '../access/parse-scope';
import { type AuthConfig, authConfigToken } from '../config';
import { type Authenticated, CredentialsService } from '../logins/credentials.service';
import { AuthRecordsRepository } from '../records/auth-records.repository';
import { SettingsService } from '../settings/settings.service';
import { SigningKeysService, signingAlgorithm } from '../signing-keys/signing-keys.service';
import { newRefreshToken, refreshTokenId } from './refresh-tokens';

type TokenRequest = RpcRequest<typeof authRpc.token>;
type TokenResponse = RpcResponse<typeof authRpc.token>;

const anonymous: Identity = { kind: 'anonymous', name: 'anonymous', roles: [] };

@Injectable()
export class AccessTokensService {
  constructor(
    private readonly credentials: CredentialsService,
    private readonly records: AuthRecordsRepository,
    private readonly settings: SettingsService,
    private readonly signingKeys: SigningKeysService,
    @Inject(authConfigToken) private readonly config: AuthConfig,
  ) {}

  async token(request: TokenRequest, origin: EventOrigin): Promise<TokenResponse> {
    const login = await this.login(request);
    const access = grantAccess(parseScopes(request.scopes), login.authenticated.rights);
    const signed = await this.sign(login.authenticated, request.service, access);
    const refreshToken =
      login.refreshToken ??
      (request.offline ? await this.issueRefreshToken(login.authenticated, origin) : undefined);
    return {
      ...signed,
      ...(refreshToken ? { refreshToken } : {}),
      identity: login.authenticated.identity,
      access,
    };
  }

  private async login(
    request: TokenRequest,
  ): Promise<{ authenticated: Authenticated; refreshToken?: string }> {
    const credentials = request.credentials;
    if (!credentials) {
      const { anonymousPull } = await this.settings.get();
      return {
        authenticated: { identity: anonymous, rights: anonymousRights(anonymousPull) },
      };
    }
    if (credentials.grant === 'password') {
      const authenticated = await this.credentials.authenticate({
        username: credentials.username,
        password: credentials.password,
        ...(request.clientAddr ? { clientAddr: request.clientAddr } : {}),
      });
      return { authenticated };
    }
    const refresh = await this.records.get(
      'refresh-token',
      refreshTokenId(credentials.refreshToken),
    );
    const authenticated =
      refresh && Date.parse(refresh.expiresAt) > Date.now()
        ? await this.credentials.resolve(refresh)
        : undefined;
    if (!authenticated) throw new RegistryError('UNAUTHORIZED', 'invalid or revoked refresh token');
    return { authenticated, refreshToken: credentials.refreshToken };
  }

  private async sign(
    authenticated: Authenticated,
    audience: string,
    access: TokenResponse['access'],
  ): Promise<Pick<TokenResponse, 'accessToken' | 'expiresIn' | 'issuedAt'>> {
    const key = await this.signingKeys.current();
    const issuedAt = Math.floor(Date.now() / 1000);
    const limit = authenticated.expiresAt
      ? Math.floor(Date.parse(authenticated.expiresAt) / 1000)
      : Number.POSITIVE_INFINITY;
    const expiresAt = Math.max(
      issuedAt + 1,
      Math.min(issuedAt + this.config.accessTokenTtlSeconds, limit),
    );
    const { kind, roles } = authenticated.identity;
    const accessToken = await new SignJWT({ access, kind, roles })
      .setProtectedHeader({ alg: signingAlgorithm, kid: key.kid, typ: 'JWT' })
      .setIssuer(this.config.issuer)
      .setSubject(authenticated.identity.name)
      .setAudience(audience)
      .setIssuedAt(issuedAt)
      .setNotBefore(issuedAt)
      .setExpirationTime(expiresAt)
      .setJti(randomUUID())
      .sign(key.privateKey);
    return {
      accessToken,
      expiresIn: expiresAt - issuedAt,
      issuedAt: new Date(issuedAt * 1000).toISOString(),
    };
  }

  private async issueRefreshToken(
    authenticated: Authenticated,
    origin: EventOrigin,
  ): Promise<string | undefined> {
    const subjectKind = authenticated.subjectKind;
    if (!subjectKind) return undefined;
    const token = newRefreshToken();
    const now = Date.now();
    await this.records.transaction((tx) =>
      tx.write(
        'refresh-token',
        refreshTokenId(token),
        {
          subjectKind,
          subject: authenticated.identity.name,
          ...(authenticated.slot ? { slot: authenticated.slot } : {}),
          createdAt: new Date(now).toISOString(),
          expiresAt: new Date(now + this.config.refreshTokenTtlSeconds * 1000).toISOString(),
        },
        { ...origin, actor: { name: authenticated.identity.name } },
      ),
    );
    return token;
  }
}
