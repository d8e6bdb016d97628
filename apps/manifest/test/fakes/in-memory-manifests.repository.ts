/**
 * An in-memory ManifestsRepository for unit tests of the service's rules. A transaction
 * works on a copy of the state and replaces it only when `work` succeeds, so a refused
 * push leaves nothing behind, events included, as in Postgres.
 */
import type { EventDefinition } from '@meridian/contracts';
import type { z } from 'zod';
import type {
  ManifestsRepository,
  ManifestsTransaction,
  NewManifest,
  StoredManifest,
  TagOrDigest,
} from '../../src/manifests/manifests.repository';

export interface RecordedEvent {
  name: string;
  payload: Record<string, unknown>;
}

export interface StoredTag {
  digest: string;
  hlc: string;
}

interface State {
  repositories: Set<string>;
  /** key: `${repository}@${digest}` */
  manifests: Map<string, NewManifest>;
  /** key: `${repository}:${tag}` */
  tags: Map<string, StoredTag>;
  events: RecordedEvent[];
}

const manifestKey = (repository: string, digest: string) => `${repository}@${digest}`;
const tagKey = (repository: string, tag: string) => `${repository}:${tag}`;

export class InMemoryManifestsRepository implements ManifestsRepository {
  private state: State = {
    repositories: new Set(),
    manifests: new Map(),
    tags: new Map(),
    events: [],
  };

  /** Events of committed transactions, in order. */
  get events(): RecordedEvent[] {
    return this.state.events;
  }

  manifest(repository: string, digest: string): NewManifest | undefined {
    return this.state.manifests.get(manifestKey(repository, digest));
  }

  tag(repository: string, tag: string): StoredTag | undefined {
    return this.state.tags.get(tagKey(repository, tag));
  }

  hasRepository(repository: string): boolean {
    return this.state.repositories.has(repository);
  }

  async find(
    repository: string,
    reference: TagOrDigest,
    includeBody: boolean,
  ): Promise<StoredManifest | undefined> {
    const digest =
      reference.kind === 'digest' ? reference.digest : this.tag(repository, reference.tag)?.digest;
    const manifest = digest === undefined ? undefined : this.manifest(repository, digest);
    if (!manifest) return undefined;
    return {
      digest: manifest.digest,
      mediaType: manifest.mediaType,
      size: manifest.body.byteLength,
      ...(includeBody ? { body: manifest.body } : {}),
    };
  }

  async repositoryExists(repository: string): Promise<boolean> {
    return this.hasRepository(repository);
  }

  async transaction<T>(work: (tx: ManifestsTransaction) => Promise<T>): Promise<T> {
    const draft: State = {
      repositories: new Set(this.state.repositories),
      manifests: new Map(this.state.manifests),
      tags: new Map(this.state.tags),
      events: [...this.state.events],
    };
    const result = await work(new InMemoryManifestsTransaction(draft));
    this.state = draft;
    return result;
  }
}

class InMemoryManifestsTransaction implements ManifestsTransaction {
  constructor(private readonly state: State) {}

  async ensureRepository(repository: string): Promise<void> {
    this.state.repositories.add(repository);
  }

  async existingManifests(repository: string, digests: string[]): Promise<string[]> {
    return digests.filter((digest) => this.state.manifests.has(manifestKey(repository, digest)));
  }

  async insertManifest(manifest: NewManifest): Promise<void> {
    const key = manifestKey(manifest.repository, manifest.digest);
    if (!this.state.manifests.has(key)) this.state.manifests.set(key, manifest);
  }

  async setTag(
    repository: string,
    tag: string,
    digest: string,
    hlc: string,
  ): Promise<string | undefined> {
    const previous = this.state.tags.get(tagKey(repository, tag));
    this.state.tags.set(tagKey(repository, tag), { digest, hlc });
    return previous?.digest;
  }

  async deleteManifest(repository: string, digest: string): Promise<string[] | undefined> {
    if (!this.state.manifests.delete(manifestKey(repository, digest))) return undefined;
    const tags: string[] = [];
    const prefix = tagKey(repository, '');
    for (const [key, tag] of this.state.tags) {
      if (key.startsWith(prefix) && tag.digest === digest) {
        this.state.tags.delete(key);
        tags.push(key.slice(prefix.length));
      }
    }
    return tags.sort();
  }

  async deleteTag(repository: string, tag: string): Promise<string | undefined> {
    const found = this.state.tags.get(tagKey(repository, tag));
    this.state.tags.delete(tagKey(repository, tag));
    return found?.digest;
  }

  async emit<S extends z.ZodType>(def: EventDefinition<S>, payload: z.infer<S>): Promise<void> {
    // validated and stored as JSON as the outbox does, so a rule that builds a bad event fails here too
    const event = JSON.parse(JSON.stringify(def.schema.parse(payload))) as Record<string, unknown>;
    this.state.events.push({ name: def.name, payload: event });
  }
}
