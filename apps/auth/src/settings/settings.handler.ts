import { Injectable } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, authManagementRpc as rpc } from '@meridian/contracts';
import { type RpcContext, RpcHandler } from '@meridian/messaging';
import { originOf } from '../records/event-origin';
import { SigningKeysService } from '../signing-keys/signing-keys.service';
import { SettingsService } from './settings.service';

/** Registry-wide auth settings and the signing keys' management RPCs. */
@Injectable()
export class SettingsHandler {
  constructor(
    private readonly settings: SettingsService,
    private readonly signingKeys: SigningKeysService,
  ) {}

  @RpcHandler(rpc.settingsGet)
  get(): Promise<RpcResponse<typeof rpc.settingsGet>> {
    return this.settings.get();
  }

  @RpcHandler(rpc.settingsPut)
  put(
    request: RpcRequest<typeof rpc.settingsPut>,
    context: RpcContext,
  ): Promise<RpcResponse<typeof rpc.settingsPut>> {
    return this.settings.put(request, originOf(context));
  }

  @RpcHandler(rpc.signingKeyList)
  async listKeys(): Promise<RpcResponse<typeof rpc.signingKeyList>> {
    return { keys: await this.signingKeys.list() };
  }

  @RpcHandler(rpc.signingKeyRotate)
  rotateKey(
    _request: RpcRequest<typeof rpc.signingKeyRotate>,
    context: RpcContext,
  ): Promise<RpcResponse<typeof rpc.signingKeyRotate>> {
    return this.signingKeys.rotate(originOf(context));
  }
}
