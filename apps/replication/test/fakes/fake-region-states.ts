/**
 * Each region's replicated registry state as plain objects, answering anti-entropy's reads
 * the way the manifest service does: summaries (a hash of the state, so equal states have
 * equal summaries) in byte order of repository name, paged, and one repository's state.
 * `unreachable` makes a region answer UNAVAILABLE, as a peer across a dead link does.
 */
import { createHash } from 'node:crypto';
import { type ReplicatedSetting, RegistryError, type RepositoryState } from '@meridian/contracts';
import { RegionStates, type SummariesPage } from '../../src/anti-entropy/region-states';

export class FakeRegionStates extends RegionStates {
  /** region → repository → state */
  readonly repositories = new Map<string, Map<string, RepositoryState>>();
  readonly settings = new Map<string, ReplicatedSetting[]>();
  readonly unreachable = new Set<string>();
  /** repositories whose state was read, per region */
  readonly stateReads: string[] = [];

  set(region: string, state: RepositoryState): void {
    const repositories = this.repositories.get(region) ?? new Map<string, RepositoryState>();
    repositories.set(state.repository, state);
    this.repositories.set(region, repositories);
  }

  async summaries(
    region: string,
    after: string | undefined,
    limit: number,
  ): Promise<SummariesPage> {
    this.failIfUnreachable(region);
    const names = [...(this.repositories.get(region)?.keys() ?? [])]
      .filter((name) => after === undefined || name > after)
      .sort();
    return {
      repositories: names.slice(0, limit).map((repository) => ({
        repository,
        summary: createHash('md5')
          .update(JSON.stringify(this.repositories.get(region)!.get(repository)))
          .digest('hex'),
      })),
      more: names.length > limit,
      settings: this.settings.get(region) ?? [],
    };
  }

  async state(region: string, repository: string): Promise<RepositoryState> {
    this.failIfUnreachable(region);
    this.stateReads.push(`${region}:${repository}`);
    return (
      this.repositories.get(region)?.get(repository) ?? {
        repository,
        manifests: [],
        tags: [],
        deletedManifests: [],
        deletedTags: [],
        locks: [],
        truncated: false,
      }
    );
  }

  private failIfUnreachable(region: string): void {
    if (this.unreachable.has(region))
      throw new RegistryError('UNAVAILABLE', `region ${region} did not answer`);
  }
}
