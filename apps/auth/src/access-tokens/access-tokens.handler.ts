import { Controller, Inject } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, authRpc } from '@meridian/contracts';
import { Caller, type RpcContext } from '@meridian/messaging';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { type AuthConfig, authConfigToken } from '../config';
import { CredentialsService } from '../logins/credentials.service';
import { originOf } from '../records/event-origin';
import { SettingsService } from '../settings/settings.service';
import { SigningKeysService } from '../signing-keys/signing-keys.service';
import { AccessTokensService } from './access-tokens.service';

type Token = typeof authRpc.token;
type Authenticate = typeof authRpc.authenticate;
type Keys = typeof authRpc.keys;

/** `auth.token`, `auth.authenticate`, `auth.keys`: what the gateway asks on every login. */
@Controller()
export class AccessTokensHandler {
  constructor(
    private readonly tokens: AccessTokensService,
    private readonly credentials: CredentialsService,
    private readonly signingKeys: SigningKeysService,
    private readonly settings: SettingsService,
    @Inject(authConfigToken) private readonly config: AuthConfig,
  ) {}

  @MessagePattern(authRpc.token.pattern)
  token(
    @Payload() request: RpcRequest<Token>,
    @Caller() context: RpcContext,
  ): Promise<RpcResponse<Token>> {
    return this.tokens.token(request, originOf(context));
  }

  @MessagePattern(authRpc.authenticate.pattern)
  async authenticate(
    @Payload() request: RpcRequest<Authenticate>,
  ): Promise<RpcResponse<Authenticate>> {
    return (await this.credentials.authenticate(request)).identity;
  }

  @MessagePattern(authRpc.keys.pattern)
  async keys(): Promise<RpcResponse<Keys>> {
    const [keys, settings] = await Promise.all([
      this.signingKeys.publicKeys(),
      this.settings.get(),
    ]);
    return { issuer: this.config.issuer, keys, anonymousPull: settings.anonymousPull };
  }
}
