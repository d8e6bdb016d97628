/**
 * What the scrub needs from the replication service, the one process that holds every peer
 * region's store: a blob copied over this region's key from a peer whose copy verifies. An
 * abstract class so the scrub's rules are tested with an in-memory fake; the NATS
 * implementation never throws, a repair that could not be asked for is an answer too.
 */
import { Injectable } from '@nestjs/common';
import { type BlobInfo, isRegistryError, replicationRpc } from '@meridian/contracts';
import { RpcClient } from '@meridian/messaging';

export type RepairOutcome =
  { repaired: true; region: string } | { repaired: false; detail: string };

export abstract class BlobRepairs {
  abstract repair(blob: BlobInfo): Promise<RepairOutcome>;
}

/** a repair reads the whole blob from a peer and writes it here: give a large one time */
export function repairTimeoutMs(size: number): number {
  const atLeastBytesPerSecond = 1024 * 1024;
  return 60_000 + Math.ceil((size / atLeastBytesPerSecond) * 1000);
}

@Injectable()
export class NatsBlobRepairs implements BlobRepairs {
  constructor(private readonly rpc: RpcClient) {}

  async repair(blob: BlobInfo): Promise<RepairOutcome> {
    try {
      const answer = await this.rpc.request(replicationRpc.repairBlob, blob, {
        timeoutMs: repairTimeoutMs(blob.size),
      });
      if (answer.repaired) return { repaired: true, region: answer.region };
      const peers = answer.peers.map(
        (peer) => `${peer.region}: ${peer.state}${peer.detail ? ` (${peer.detail})` : ''}`,
      );
      return {
        repaired: false,
        detail:
          peers.length === 0
            ? 'no peer region is configured'
            : `no peer region has an intact copy: ${peers.join('; ')}`,
      };
    } catch (error) {
      if (!isRegistryError(error)) throw error;
      return { repaired: false, detail: `the repair could not be asked for: ${error.message}` };
    }
  }
}
