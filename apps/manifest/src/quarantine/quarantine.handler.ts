import { Controller } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, manifestRpc } from '@meridian/contracts';
import { Caller, type RpcContext } from '@meridian/messaging';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { QuarantineService } from './quarantine.service';

type State = typeof manifestRpc.quarantineState;
type Decide = typeof manifestRpc.decideQuarantine;
type Setting = typeof manifestRpc.quarantineSetting;
type SetSetting = typeof manifestRpc.setQuarantineSetting;

/** `manifest.quarantine-state|decide-quarantine|quarantine-setting|set-quarantine-setting`. */
@Controller()
export class QuarantineHandler {
  constructor(private readonly quarantine: QuarantineService) {}

  @MessagePattern(manifestRpc.quarantineState.pattern)
  state(@Payload() request: RpcRequest<State>): Promise<RpcResponse<State>> {
    return this.quarantine.state(request.repository, request.digest);
  }

  @MessagePattern(manifestRpc.decideQuarantine.pattern)
  decide(
    @Payload() request: RpcRequest<Decide>,
    @Caller() context: RpcContext,
  ): Promise<RpcResponse<Decide>> {
    return this.quarantine.decide(request, context);
  }

  @MessagePattern(manifestRpc.quarantineSetting.pattern)
  setting(): Promise<RpcResponse<Setting>> {
    return this.quarantine.setting();
  }

  @MessagePattern(manifestRpc.setQuarantineSetting.pattern)
  setSetting(
    @Payload() request: RpcRequest<SetSetting>,
    @Caller() context: RpcContext,
  ): Promise<RpcResponse<SetSetting>> {
    return this.quarantine.setSetting(request.enabled, context);
  }
}
