/**
 * The challenges this gateway sends: the token realm is `<base URL>/oauth2/token`, the base
 * URL being MERIDIAN_PUBLIC_URL when the operator set one (a gateway behind a proxy or TLS
 * terminator cannot know the address clients use) and the request's own Host otherwise.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { AccessEntry } from '@meridian/contracts';
import type { FastifyRequest } from 'fastify';
import type { GatewayAuthConfig } from '../config';
import { gatewayAuthConfigToken } from './auth-tokens';
import { type ChallengeError, basicChallenge, bearerChallenge } from './challenge';

export const tokenPath = '/oauth2/token';

@Injectable()
export class AuthChallenges {
  constructor(@Inject(gatewayAuthConfigToken) private readonly config: GatewayAuthConfig) {}

  bearer(request: FastifyRequest, scopes: readonly AccessEntry[], error?: ChallengeError): string {
    return bearerChallenge({
      realm: `${this.baseUrl(request)}${tokenPath}`,
      service: this.config.registryName,
      scopes,
      ...(error ? { error } : {}),
    });
  }

  basic(): string {
    return basicChallenge(this.config.registryName);
  }

  /** For a 401 raised without a challenge of its own: Bearer on `/v2`, Basic elsewhere. */
  forPath(request: FastifyRequest): string {
    return request.url.startsWith('/v2') ? this.bearer(request, []) : this.basic();
  }

  private baseUrl(request: FastifyRequest): string {
    if (this.config.publicUrl !== undefined) return this.config.publicUrl;
    return `${request.protocol}://${request.headers.host ?? request.hostname}`;
  }
}
