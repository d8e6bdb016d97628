/**
 * What the scan service asks of the region's manifest service: the bytes of an index's
 * platform images, and the quarantine decision once a scan is done.
 */
import { Injectable } from '@nestjs/common';
import { manifestRpc } from '@meridian/contracts';
import { RpcClient } from '@meridian/messaging';

export abstract class RegistryClient {
  abstract manifest(
    repository: string,
    digest: string,
  ): Promise<{ mediaType: string; body: Buffer }>;
  /** Decides a quarantined image (an image not quarantined, or decided already, stays as it is). */
  abstract decideQuarantine(
    repository: string,
    digest: string,
    state: 'passed' | 'failed',
    details: string,
  ): Promise<void>;
}

const actor = { actor: { name: 'meridian-scan' } };

@Injectable()
export class NatsRegistryClient extends RegistryClient {
  constructor(private readonly rpc: RpcClient) {
    super();
  }

  async manifest(repository: string, digest: string) {
    const found = await this.rpc.request(manifestRpc.get, {
      repository,
      reference: digest,
      includeBody: true,
    });
    if (found.body === undefined) throw new Error('the manifest service answered without a body');
    return { mediaType: found.mediaType, body: Buffer.from(found.body, 'base64') };
  }

  async decideQuarantine(
    repository: string,
    digest: string,
    state: 'passed' | 'failed',
    details: string,
  ): Promise<void> {
    await this.rpc.request(
      manifestRpc.decideQuarantine,
      { repository, digest, state, details, onlyIfQuarantined: true },
      { context: actor },
    );
  }
}
