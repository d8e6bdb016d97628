import { Injectable } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, manifestRpc } from '@meridian/contracts';
import { RpcHandler, type RpcContext } from '@meridian/messaging';
import { QuarantineService } from './quarantine.service';

type State = typeof manifestRpc.quarantineState;
type Decide = typeof manifestRpc.decideQuarantine;
type Setting = typeof manifestRpc.quarantineSetting;
type SetSetting = typeof manifestRpc.setQuarantineSetting;

/** `manifest.quarantine-state|decide-quarantine|quarantine-setting|set-quarantine-setting`. */
@Injectable()
export class QuarantineHandler {
  constructor(private readonly quarantine: QuarantineService) {}

  @RpcHandler(manifestRpc.quarantineState)
  state(request: RpcRequest<State>): Promise<RpcResponse<State>> {
    return this.quarantine.state(request.repository, request.digest);
  }

  @RpcHandler(manifestRpc.decideQuarantine)
  decide(request: RpcRequest<Decide>, context: RpcContext): Promise<RpcResponse<Decide>> {
    return this.quarantine.decide(request, context);
  }

  @RpcHandler(manifestRpc.quarantineSetting)
  setting(): Promise<RpcResponse<Setting>> {
    return this.quarantine.setting();
  }

  @RpcHandler(manifestRpc.setQuarantineSetting)
  setSetting(
    request: RpcRequest<SetSetting>,
    context: RpcContext,
  ): Promise<RpcResponse<SetSetting>> {
    return this.quarantine.setSetting(request.enabled, context);
  }
}
