import { Controller } from '@nestjs/common';
import { type RpcRequest, type RpcResponse, manifestRpc } from '@meridian/contracts';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { RepositoryStateRepository } from './repository-state.repository';

type Summaries = typeof manifestRpc.summaries;
type State = typeof manifestRpc.repositoryState;

/**
 * `manifest.summaries` and `manifest.repository-state`: what the replication service's
 * anti-entropy compares between this region and a peer. Read-only.
 */
@Controller()
export class RepositoryStateHandler {
  constructor(private readonly states: RepositoryStateRepository) {}

  @MessagePattern(manifestRpc.summaries.pattern)
  async summaries(@Payload() request: RpcRequest<Summaries>): Promise<RpcResponse<Summaries>> {
    // one more than asked tells whether there are more
    const page = await this.states.summaries(request.after, request.limit + 1);
    return {
      repositories: page.slice(0, request.limit),
      more: page.length > request.limit,
      settings: await this.states.settings(),
    };
  }

  @MessagePattern(manifestRpc.repositoryState.pattern)
  state(@Payload() request: RpcRequest<State>): Promise<RpcResponse<State>> {
    return this.states.state(request.repository);
  }
}
