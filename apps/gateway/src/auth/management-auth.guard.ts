/**
 * Guards the management API (`/api/v1/…`), for every controller there is or will be: the
 * caller authenticates with Basic credentials (checked by the auth service) or a Bearer
 * access token (verified here), and must hold the permission the route declares with
 * `@Authorize`. A route without one is refused to everyone (403 DENIED), so a forgotten
 * decorator fails closed. Other paths pass: `/v2` authorizes in the distribution
 * controller, ACR's routes (`@AuthorizedByToken`) in theirs, `/oauth2/token` is where
 * credentials are exchanged.
 */
import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type Identity, RegistryError } from '@meridian/contracts';
import type { FastifyRequest } from 'fastify';
import type { GatewayAuthConfig } from '../config';
import { buildRpcContext } from '../http/build-rpc-context';
import { type AccessTokenVerifier, TokenRefusedError } from './access-token.verifier';
import { AuthChallenges } from './auth-challenges';
import { accessTokenVerifierToken, gatewayAuthConfigToken } from './auth-tokens';
import {
  type ManagementPermission,
  authorizedByTokenKey,
  managementPermissionKey,
} from './authorize.decorator';
import { authOffIdentity } from './known-identities';
import { hasPermission } from './management-permissions';
import { PasswordAuthenticator } from './password-authenticator';
import { readCredentials } from './read-credentials';
import { UnauthorizedError } from './unauthorized.error';

export const managementPathPrefix = '/api/v1';

@Injectable()
export class ManagementAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly passwords: PasswordAuthenticator,
    @Inject(accessTokenVerifierToken) private readonly verifier: AccessTokenVerifier,
    @Inject(gatewayAuthConfigToken) private readonly config: GatewayAuthConfig,
    private readonly challenges: AuthChallenges,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (!isManagementPath(request.url)) return true;
    const byToken = this.reflector.getAllAndOverride<boolean | undefined>(authorizedByTokenKey, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (byToken === true) return true;
    const permission = this.reflector.getAllAndOverride<ManagementPermission | undefined>(
      managementPermissionKey,
      [context.getHandler(), context.getClass()],
    );
    if (permission === undefined) {
      throw new RegistryError('DENIED', 'this route declares no permission; nobody may call it');
    }
    await this.requirePermission(request, permission);
    return true;
  }

  /**
   * Authenticates the caller and checks `permission`, naming the caller on the request. For
   * a route whose permission depends on what it is asked (ACR's manifest PATCH: a quarantine
   * decision needs `quarantine:write`, changeable attributes a token's `metadata_write`).
   */
  async requirePermission(
    request: FastifyRequest,
    permission: ManagementPermission,
  ): Promise<void> {
    const identity = await this.authenticate(request);
    request.meridianIdentity = identity;
    if (!hasPermission(identity, permission)) {
      throw new RegistryError('DENIED', 'the caller lacks the permission this route requires', {
        permission,
      });
    }
  }

  private async authenticate(request: FastifyRequest): Promise<Identity> {
    if (this.config.mode === 'off') return authOffIdentity;
    const credentials = readCredentials(request.headers);
    if (credentials === undefined) {
      throw new UnauthorizedError('authentication required', this.challenges.basic());
    }
    if (credentials.scheme === 'malformed') {
      throw new UnauthorizedError(credentials.reason, this.challenges.basic());
    }
    if (credentials.scheme === 'basic') {
      return this.passwords.authenticate(
        {
          username: credentials.username,
          password: credentials.password,
          clientAddr: request.ip,
        },
        buildRpcContext(request),
      );
    }
    try {
      return (await this.verifier.verify(credentials.token)).identity;
    } catch (error) {
      if (!(error instanceof TokenRefusedError)) throw error;
      throw new UnauthorizedError('the token is not valid', this.challenges.basic());
    }
  }
}

/** `/api/v1/…`, and ACR's `/acr/v1/…` (its routes are `@AuthorizedByToken`) */
export function isManagementPath(url: string): boolean {
  return url === managementPathPrefix || /^\/(?:api|acr)\/v1[/?]/.test(url);
}
