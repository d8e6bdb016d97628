/**
 * `/oauth2/token`: the realm of every challenge. It reads the request (token-request.ts)
 * and asks the auth service to issue the token; the auth service checks the credentials,
 * bounds failed logins and grants the intersection of what was asked and what the identity
 * may do. Bad credentials are 401 UNAUTHORIZED with a Basic challenge, too many failures
 * 429 TOOMANYREQUESTS with `Retry-After` (the exception filter adds both headers). An
 * Authorization header that does not parse is 401 here, before the auth service is asked:
 * it is neither an anonymous request nor a login attempt to count.
 */
import { Controller, Get, Inject, Post, Req, Res } from '@nestjs/common';
import { RegistryError, type RpcResponse, authRpc } from '@meridian/contracts';
import { RpcClient } from '@meridian/messaging';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayAuthConfig } from '../config';
import { buildRpcContext } from '../http/build-rpc-context';
import { writeJson } from '../http/write-response';
import { AuthChallenges, tokenPath } from './auth-challenges';
import { gatewayAuthConfigToken } from './auth-tokens';
import { readCredentials } from './read-credentials';
import { readFormBody } from './read-form-body';
import { type TokenRequest, tokenRequestFromForm, tokenRequestFromQuery } from './token-request';
import { UnauthorizedError } from './unauthorized.error';

@Controller()
export class TokenController {
  constructor(
    private readonly rpc: RpcClient,
    @Inject(gatewayAuthConfigToken) private readonly config: GatewayAuthConfig,
    private readonly challenges: AuthChallenges,
  ) {}

  @Get(tokenPath.slice(1))
  async get(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const query = new URLSearchParams(request.url.split('?')[1] ?? '');
    const credentials = readCredentials(request.headers);
    if (credentials?.scheme === 'malformed') {
      throw new UnauthorizedError(credentials.reason, this.challenges.basic());
    }
    const tokenRequest = tokenRequestFromQuery(query, credentials, this.config.registryName);
    await this.issue(tokenRequest, request, reply);
  }

  @Post(tokenPath.slice(1))
  async post(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const form = await readFormBody(request.raw);
    await this.issue(tokenRequestFromForm(form, this.config.registryName), request, reply);
  }

  private async issue(
    tokenRequest: TokenRequest,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<void> {
    let issued: RpcResponse<typeof authRpc.token>;
    try {
      issued = await this.rpc.request(
        authRpc.token,
        { ...tokenRequest, clientAddr: request.ip },
        { context: buildRpcContext(request) },
      );
    } catch (error) {
      if (error instanceof RegistryError && error.code === 'UNAUTHORIZED') {
        throw new UnauthorizedError(error.message, this.challenges.basic(), error.detail);
      }
      throw error;
    }
    writeJson(
      reply,
      200,
      {
        token: issued.accessToken,
        access_token: issued.accessToken,
        expires_in: issued.expiresIn,
        issued_at: issued.issuedAt,
        ...(issued.refreshToken !== undefined ? { refresh_token: issued.refreshToken } : {}),
      },
      { 'cache-control': 'no-store', pragma: 'no-cache' },
    );
  }
}
