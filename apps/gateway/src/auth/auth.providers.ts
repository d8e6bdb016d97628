/**
 * The gateway's auth parts, for AppModule: the auth service's keys cached in this process
 * (fetched with `auth.keys`), the token verifier over them, the `/v2` authorization step,
 * the token endpoint, and the management API's guard (global, so no route can miss it).
 */
import type { Provider, Type } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { authRpc } from '@meridian/contracts';
import { RpcClient } from '@meridian/messaging';
import type { Logger } from '@meridian/telemetry';
import type { GatewayAuthConfig } from '../config';
import { JwksAccessTokenVerifier } from './access-token.verifier';
import { AuthChallenges } from './auth-challenges';
import { AuthKeysCache } from './auth-keys.cache';
import {
  accessTokenVerifierToken,
  authKeysSourceToken,
  gatewayAuthConfigToken,
} from './auth-tokens';
import { ManagementAuthGuard } from './management-auth.guard';
import { PasswordAuthenticator, RpcPasswordAuthenticator } from './password-authenticator';
import { RegistryAccess } from './registry-access.service';
import { TokenController } from './token.controller';

export const authControllers: Type[] = [TokenController];

export function authProviders(config: GatewayAuthConfig, logger: Logger): Provider[] {
  return [
    { provide: gatewayAuthConfigToken, useValue: config },
    {
      provide: authKeysSourceToken,
      inject: [RpcClient],
      useFactory: (rpc: RpcClient) =>
        new AuthKeysCache({
          fetch: () => rpc.request(authRpc.keys, {}),
          onRefreshFailed: (error) =>
            logger.warn({ err: error }, 'failed to refresh the auth keys; the cached keys serve'),
        }),
    },
    {
      provide: accessTokenVerifierToken,
      inject: [authKeysSourceToken],
      useFactory: (keys: AuthKeysCache) =>
        new JwksAccessTokenVerifier({ keys, audience: config.registryName }),
    },
    AuthChallenges,
    RegistryAccess,
    { provide: PasswordAuthenticator, useClass: RpcPasswordAuthenticator },
    // also by class: ACR's manifest PATCH asks it for the quarantine writer's permission
    ManagementAuthGuard,
    { provide: APP_GUARD, useExisting: ManagementAuthGuard },
  ];
}
