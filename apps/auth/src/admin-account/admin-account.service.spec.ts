import { createLogger } from '@meridian/telemetry';
import { InMemoryAuthRecordsRepository } from '../../test/fakes/in-memory-auth-records.repository';
import type { AuthConfig } from '../config';
import { SecretHasher } from '../secrets/secret-hasher';
import { AdminAccountService } from './admin-account.service';

const config = { region: 'us-east' } as AuthConfig;
const origin = { actor: { name: 'owner' } };

describe(AdminAccountService.name, () => {
  let records: InMemoryAuthRecordsRepository;
  let hasher: SecretHasher;

  function service(adminPassword?: string): AdminAccountService {
    return new AdminAccountService(
      records,
      hasher,
      { ...config, ...(adminPassword ? { adminPassword } : {}) },
      createLogger({ service: 'auth', region: 'us-east', level: 'silent' }),
    );
  }

  beforeEach(() => {
    records = new InMemoryAuthRecordsRepository();
    hasher = new SecretHasher();
  });

  it('is disabled, without passwords, until someone enables it', async () => {
    expect(await service().show()).toEqual({ enabled: false, username: 'admin', passwords: [] });
  });

  it('generates both passwords when enabled without any, and shows them only then', async () => {
    const sut = service();
    const enabled = await sut.update(true, origin);
    expect(enabled.generated?.map((password) => password.slot)).toEqual([1, 2]);
    const stored = await records.get('admin', 'admin');
    for (const password of enabled.generated!) {
      const hash = stored!.passwords.find((candidate) => candidate.slot === password.slot)!.hash;
      expect(hash).not.toContain(password.value);
      expect(await hasher.verify(hash, password.value)).toBe(true);
    }
    expect(JSON.stringify(await sut.show())).not.toContain(enabled.generated![0]!.value);
  });

  it('renews one password and leaves the other working', async () => {
    const sut = service();
    const [first, second] = (await sut.update(true, origin)).generated!;
    const renewed = await sut.renew(1, origin);
    const stored = (await records.get('admin', 'admin'))!.passwords;
    expect(await hasher.verify(stored[0]!.hash, first!.value)).toBe(false);
    expect(await hasher.verify(stored[0]!.hash, renewed.password.value)).toBe(true);
    expect(await hasher.verify(stored[1]!.hash, second!.value)).toBe(true);
  });

  it('enables the account from MERIDIAN_ADMIN_PASSWORD once, and writes nothing on the next start', async () => {
    await service('a-long-password').onApplicationBootstrap();
    await service('a-long-password').onApplicationBootstrap();
    const changes = records.events.filter((event) => event.kind === 'admin');
    expect(changes).toHaveLength(1);
    expect(changes[0]?.origin.actor).toEqual({ name: 'MERIDIAN_ADMIN_PASSWORD' });
    const stored = await records.get('admin', 'admin');
    expect(stored?.enabled).toBe(true);
    expect(await hasher.verify(stored!.passwords[0]!.hash, 'a-long-password')).toBe(true);
  });
});
