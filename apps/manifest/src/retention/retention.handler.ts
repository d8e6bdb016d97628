import { Controller } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, manifestRpc } from '@meridian/contracts';
import { Caller, type RpcContext } from '@meridian/messaging';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { RetentionService } from './retention.service';

type Setting = typeof manifestRpc.retentionSetting;
type SetSetting = typeof manifestRpc.setRetentionSetting;

/** `manifest.retention-setting|set-retention-setting`. */
@Controller()
export class RetentionHandler {
  constructor(private readonly retention: RetentionService) {}

  @MessagePattern(manifestRpc.retentionSetting.pattern)
  setting(): Promise<RpcResponse<Setting>> {
    return this.retention.policy();
  }

  @MessagePattern(manifestRpc.setRetentionSetting.pattern)
  setSetting(
    @Payload() request: RpcRequest<SetSetting>,
    @Caller() context: RpcContext,
  ): Promise<RpcResponse<SetSetting>> {
    return this.retention.setPolicy(request, context);
  }
}
