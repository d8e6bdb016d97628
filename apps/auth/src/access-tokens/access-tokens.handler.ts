import { Inject, Injectable } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, authRpc } from '@meridian/contracts';
import { type RpcContext, RpcHandler } from '@meridian/messaging';
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
@Injectable()
export class AccessTokensHandler {
  constructor(
    private readonly tokens: AccessTokensService,
    private readonly credentials: CredentialsService,
    private readonly signingKeys: SigningKeysService,
    private readonly settings: SettingsService,
    @Inject(authConfigToken) private readonly config: AuthConfig,
  ) {}

  @RpcHandler(authRpc.token)
  token(request: RpcRequest<Token>, context: RpcContext): Promise<RpcResponse<Token>> {
    return this.tokens.token(request, originOf(context));
  }

  @RpcHandler(authRpc.authenticate)
  async authenticate(request: RpcRequest<Authenticate>): Promise<RpcResponse<Authenticate>> {
    return (await this.credentials.authenticate(request)).identity;
  }

  @RpcHandler(authRpc.keys)
  async keys(): Promise<RpcResponse<Keys>> {
    const [keys, settings] = await Promise.all([
      this.signingKeys.publicKeys(),
      this.settings.get(),
    ]);
    return { issuer: this.config.issuer, keys, anonymousPull: settings.anonymousPull };
  }
}
