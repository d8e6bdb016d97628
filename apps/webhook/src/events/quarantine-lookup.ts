/**
 * Whether an image may be announced as pushed in this region: its quarantine state, from
 * the manifest service (`manifest.quarantine-state`). `deleted` when the manifest is gone
 * since. A service that does not answer is an error: the event is offered again later,
 * never announced early.
 */
import { Injectable } from '@nestjs/common';
import { isRegistryError, manifestRpc } from '@meridian/contracts';
import { RpcClient } from '@meridian/messaging';

export type ImageQuarantine = 'none' | 'quarantined' | 'passed' | 'failed' | 'deleted';

const lookupTimeoutMs = 2_000;

export abstract class QuarantineLookup {
  abstract state(repository: string, digest: string): Promise<ImageQuarantine>;
}

@Injectable()
export class NatsQuarantineLookup extends QuarantineLookup {
  constructor(private readonly rpc: RpcClient) {
    super();
  }

  async state(repository: string, digest: string): Promise<ImageQuarantine> {
    try {
      const answer = await this.rpc.request(
        manifestRpc.quarantineState,
        { repository, digest },
        { timeoutMs: lookupTimeoutMs },
      );
      return answer.state;
    } catch (error) {
      if (isRegistryError(error) && error.code === 'MANIFEST_UNKNOWN') return 'deleted';
      throw error;
    }
  }
}
