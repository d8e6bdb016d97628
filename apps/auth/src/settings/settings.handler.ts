import { Controller } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, authManagementRpc as rpc } from '@meridian/contracts';
import { Caller, type RpcContext } from '@meridian/messaging';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { originOf } from '../records/event-origin';
import { SigningKeysService } from '../signing-keys/signing-keys.service';
import { SettingsService } from './settings.service';

/** Registry-wide auth settings and the signing keys' management RPCs. */
@Controller()
export class SettingsHandler {
  constructor(
    private readonly settings: SettingsService,
    private readonly signingKeys: SigningKeysService,
  ) {}

  @MessagePattern(rpc.settingsGet.pattern)
  get(): Promise<RpcResponse<typeof rpc.settingsGet>> {
    return this.settings.get();
  }

  @MessagePattern(rpc.settingsPut.pattern)
  put(
    @Payload() request: RpcRequest<typeof rpc.settingsPut>,
    @Caller() context: RpcContext,
  ): Promise<RpcResponse<typeof rpc.settingsPut>> {
    return this.settings.put(request, originOf(context));
  }

  @MessagePattern(rpc.signingKeyList.pattern)
  async listKeys(): Promise<RpcResponse<typeof rpc.signingKeyList>> {
    return { keys: await this.signingKeys.list() };
  }

  @MessagePattern(rpc.signingKeyRotate.pattern)
  rotateKey(
    @Payload() _request: RpcRequest<typeof rpc.signingKeyRotate>,
    @Caller() context: RpcContext,
  ): Promise<RpcResponse<typeof rpc.signingKeyRotate>> {
    return this.signingKeys.rotate(originOf(context));
  }
}
