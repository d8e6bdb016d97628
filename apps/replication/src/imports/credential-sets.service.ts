/**
 * Credential sets: what imports log in to upstream registries with, saved once under a name.
 * The password or token is sealed (SecretBox, under MERIDIAN_CREDENTIALS_SECRET_KEY) before
 * it is stored and is never answered back: a view names the set, its kind and username.
 * Sets are this region's: an import runs in the region that was asked, and reads them here.
 */
import { Injectable } from '@nestjs/common';
import { type CredentialSetView, type Credentials, RegistryError } from '@meridian/contracts';
import { SecretBox } from '@meridian/outbound';
import { InjectLogger, type Logger } from '@meridian/telemetry';
import { CredentialSetsRepository, type StoredCredentialSet } from './credential-sets.repository';

/** The box credential sets (and an import's own credentials) are sealed with. */
export class CredentialsBox extends SecretBox {}

@Injectable()
export class CredentialSetsService {
  constructor(
    private readonly sets: CredentialSetsRepository,
    private readonly box: CredentialsBox,
    @InjectLogger() private readonly logger: Logger,
  ) {}

  async put(
    name: string,
    credentials: Credentials,
  ): Promise<{ created: boolean; credentialSet: CredentialSetView }> {
    const created =
      'token' in credentials
        ? await this.sets.put(name, 'token', undefined, this.box.seal(credentials.token))
        : await this.sets.put(
            name,
            'password',
            credentials.username,
            this.box.seal(credentials.password),
          );
    this.logger.info({ name, created }, 'credential set saved');
    return { created, credentialSet: await this.get(name) };
  }

  async get(name: string): Promise<CredentialSetView> {
    return view(await this.find(name));
  }

  async list(): Promise<{ credentialSets: CredentialSetView[] }> {
    return { credentialSets: (await this.sets.list()).map(view) };
  }

  async delete(name: string): Promise<void> {
    if (!(await this.sets.delete(name))) throw unknownSet(name);
    this.logger.info({ name }, 'credential set deleted');
  }

  /** The credentials of a set, opened, for an import to log in with. */
  async open(name: string): Promise<Credentials | undefined> {
    const set = await this.sets.get(name);
    if (!set) return undefined;
    const secret = this.box.open(set.secret);
    return set.kind === 'token'
      ? { token: secret }
      : { username: set.username ?? '', password: secret };
  }

  private async find(name: string): Promise<StoredCredentialSet> {
    const set = await this.sets.get(name);
    if (!set) throw unknownSet(name);
    return set;
  }
}

function view(set: StoredCredentialSet): CredentialSetView {
  const { secret: _secret, ...rest } = set;
  return rest;
}

function unknownSet(name: string): RegistryError {
  return new RegistryError('RESOURCE_UNKNOWN', 'no such credential set', { name });
}
