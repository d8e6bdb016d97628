/**
 * Decides, before any `/v2` route handler runs, whether the request may go on, and who is
 * asking (request.meridianIdentity). A Bearer token must verify (AccessTokenVerifier) and
 * grant what the route requires (requiredAccess); without a token, only a pull passes, and
 * only while anonymous pull is on. Everything else is a 401 whose challenge tells the
 * client which token to fetch. Basic credentials are not taken on `/v2`: every registry
 * client fetches a token from the realm with them instead.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { DistributionRoute } from '@meridian/oci';
import { InjectLogger, type Logger } from '@meridian/telemetry';
import type { FastifyRequest } from 'fastify';
import type { GatewayAuthConfig } from '../config';
import { readQueryParam } from '../http/read-query-param';
import { grantsAccess } from './access-scope';
import { type AccessTokenVerifier, TokenRefusedError } from './access-token.verifier';
import { AuthChallenges } from './auth-challenges';
import type { AuthKeysSource } from './auth-keys.cache';
import {
  accessTokenVerifierToken,
  authKeysSourceToken,
  gatewayAuthConfigToken,
} from './auth-tokens';
import { listableRepositories } from './catalog-scope';
import { anonymousIdentity, authOffIdentity } from './known-identities';
import { readCredentials } from './read-credentials';
import { type RequiredAccess, isPullOnly, requiredAccess } from './required-access';
import { UnauthorizedError } from './unauthorized.error';

@Injectable()
export class RegistryAccess {
  constructor(
    @Inject(gatewayAuthConfigToken) private readonly config: GatewayAuthConfig,
    @Inject(accessTokenVerifierToken) private readonly verifier: AccessTokenVerifier,
    @Inject(authKeysSourceToken) private readonly keys: AuthKeysSource,
    private readonly challenges: AuthChallenges,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  authorize(route: DistributionRoute, request: FastifyRequest): Promise<void> {
    return this.authorizeAccess(
      requiredAccess(route, request.method, mountSource(route, request)),
      request,
    );
  }

  /**
   * The same decision for a request whose access is worked out elsewhere (ACR's `/acr/v1`
   * reads). A catalog request also learns which repositories its caller may list.
   */
  async authorizeAccess(required: RequiredAccess, request: FastifyRequest): Promise<void> {
    if (this.config.mode === 'off') {
      request.meridianIdentity = authOffIdentity;
      return;
    }
    const credentials = readCredentials(request.headers);
    if (credentials?.scheme === 'malformed') {
      throw new UnauthorizedError(
        credentials.reason,
        this.challenges.bearer(request, required.challenge),
        required.challenge,
      );
    }
    if (credentials?.scheme !== 'bearer') return this.authorizeAnonymous(required, request);

    const verified = await this.verify(credentials.token, required, request);
    if (!required.needed.every((entry) => grantsAccess(verified.access, entry))) {
      throw new UnauthorizedError(
        'the token does not grant this access',
        this.challenges.bearer(request, required.challenge, 'insufficient_scope'),
        required.challenge,
      );
    }
    request.meridianIdentity = verified.identity;
    request.meridianCatalog = listableRepositories(verified.access);
  }

  private async authorizeAnonymous(
    required: RequiredAccess,
    request: FastifyRequest,
  ): Promise<void> {
    if (isPullOnly(required) && (await this.keys.current()).anonymousPull) {
      request.meridianIdentity = anonymousIdentity;
      return;
    }
    throw new UnauthorizedError(
      'authentication required',
      this.challenges.bearer(request, required.challenge),
      required.challenge,
    );
  }

  private async verify(token: string, required: RequiredAccess, request: FastifyRequest) {
    try {
      return await this.verifier.verify(token);
    } catch (error) {
      if (!(error instanceof TokenRefusedError)) throw error;
      this.logger.debug({ requestId: request.id, reason: error.message }, 'token refused');
      throw new UnauthorizedError(
        'the token is not valid',
        this.challenges.bearer(request, required.challenge, 'invalid_token'),
      );
    }
  }
}

/** The repository a mount reads from (`POST …/blobs/uploads/?mount=&from=`), if any. */
function mountSource(route: DistributionRoute, request: FastifyRequest): string | undefined {
  if (route.kind !== 'uploads' || !readQueryParam(request, 'mount')) return undefined;
  return readQueryParam(request, 'from') || undefined;
}
