import { Controller } from '@nestjs/common';
import { RegistryError, type RpcRequest, type RpcResponse, manifestRpc } from '@meridian/contracts';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { UsageRepository } from './usage.repository';

type Usage = typeof manifestRpc.usage;

/** `manifest.usage`: counts and sizes per repository, from running totals. */
@Controller()
export class UsageHandler {
  constructor(private readonly usage: UsageRepository) {}

  @MessagePattern(manifestRpc.usage.pattern)
  async usageOf(@Payload() request: RpcRequest<Usage>): Promise<RpcResponse<Usage>> {
    const repositories = await this.usage.list(request.repository);
    if (request.repository !== undefined && repositories.length === 0) {
      throw new RegistryError('NAME_UNKNOWN', 'repository name not known to registry', {
        name: request.repository,
      });
    }
    return { repositories };
  }
}
