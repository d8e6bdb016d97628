import { Controller } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, softDeleteRpc } from '@meridian/contracts';
import { Caller, type RpcContext } from '@meridian/messaging';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { DeletedManifestsService } from './deleted-manifests.service';
import { SoftDeleteService } from './soft-delete.service';

type SetSetting = typeof softDeleteRpc.setSetting;
type List = typeof softDeleteRpc.listDeleted;
type Restore = typeof softDeleteRpc.restore;

/**
 * `manifest.soft-delete-setting|set-soft-delete-setting|list-deleted|restore-deleted`:
 * requests arrive validated against their contracts.
 */
@Controller()
export class SoftDeleteHandler {
  constructor(
    private readonly softDelete: SoftDeleteService,
    private readonly deleted: DeletedManifestsService,
  ) {}

  @MessagePattern(softDeleteRpc.setting.pattern)
  setting(): Promise<RpcResponse<typeof softDeleteRpc.setting>> {
    return this.softDelete.policy();
  }

  @MessagePattern(softDeleteRpc.setSetting.pattern)
  setSetting(
    @Payload() request: RpcRequest<SetSetting>,
    @Caller() context: RpcContext,
  ): Promise<RpcResponse<SetSetting>> {
    return this.softDelete.setPolicy(request, context);
  }

  @MessagePattern(softDeleteRpc.listDeleted.pattern)
  list(@Payload() request: RpcRequest<List>): Promise<RpcResponse<List>> {
    return this.deleted.list(request);
  }

  @MessagePattern(softDeleteRpc.restore.pattern)
  restore(
    @Payload() request: RpcRequest<Restore>,
    @Caller() context: RpcContext,
  ): Promise<RpcResponse<Restore>> {
    return this.deleted.restore(request, context);
  }
}
