/**
 * The retention policy's management API with the real manifest service: what an Owner reads
 * and sets, what anyone else is refused, and bad bodies refused with nothing changed.
 */
import { errorCode, expectStatus } from './oci-requests';
import type { Identity } from '@meridian/contracts';
import { type RegistryUnderTest, startRegistry } from './registry.harness';

describe('retention policy at the gateway', () => {
  let registry: RegistryUnderTest;

  beforeAll(async () => {
    registry = await startRegistry();
  }, 120_000);

  afterAll(async () => {
    await registry?.stop();
  });

  const bearer = (sub: string, roles: string[], kind: Identity['kind'] = 'service-principal') =>
    registry.auth.bearer({ sub, roles, kind });

  const owner = () => bearer('admin', [], 'admin');
  const url = () => `${registry.url}/api/v1/settings/retention`;
  const get = async (headers: Record<string, string>) => fetch(url(), { headers });
  const put = async (headers: Record<string, string>, body: string) =>
    fetch(url(), {
      method: 'PUT',
      headers: { ...headers, 'content-type': 'application/json' },
      body,
    });

  it('is off with 7 days until an Owner sets it', async () => {
    const answer = await get(await owner());
    await expectStatus(answer, 200);
    expect(await answer.json()).toEqual({ enabled: false, days: 7 });
  });

  it('takes enabled and days from an Owner, 0 and 365 included', async () => {
    for (const policy of [
      { enabled: true, days: 0 },
      { enabled: true, days: 365 },
      { enabled: false, days: 30 },
    ]) {
      const answer = await put(await owner(), JSON.stringify(policy));
      await expectStatus(answer, 200);
      expect(await answer.json()).toEqual(policy);
    }
    expect(await (await get(await owner())).json()).toEqual({ enabled: false, days: 30 });
  });

  it.each([
    ['days above 365', '{"enabled": true, "days": 366}'],
    ['negative days', '{"enabled": true, "days": -1}'],
    ['fractional days', '{"enabled": true, "days": 1.5}'],
    ['days as text', '{"enabled": true, "days": "7"}'],
    ['enabled as text', '{"enabled": "yes", "days": 7}'],
    ['no days', '{"enabled": true}'],
    ['no enabled', '{"days": 7}'],
    ['an unknown field', '{"enabled": true, "days": 7, "type": "UntaggedManifests"}'],
    ['an empty body', ''],
    ['no JSON', '{enabled'],
  ])('refuses %s with 400 REQUEST_INVALID, changing nothing', async (_case, body) => {
    const answer = await put(await owner(), body);
    expect(answer.status).toBe(400);
    expect(await errorCode(answer)).toBe('REQUEST_INVALID');
    expect(await (await get(await owner())).json()).toEqual({ enabled: false, days: 30 });
  });

  it('refuses callers who are not Owners (403) and anonymous ones (401)', async () => {
    const contributor = await bearer('ci', ['Contributor']);
    expect((await get(contributor)).status).toBe(403);
    const refused = await put(contributor, '{"enabled": true, "days": 0}');
    expect(refused.status).toBe(403);
    expect(await errorCode(refused)).toBe('DENIED');
    expect((await get({})).status).toBe(401);
    expect((await put({}, '{"enabled": true, "days": 0}')).status).toBe(401);
    expect(await (await get(await owner())).json()).toEqual({ enabled: false, days: 30 });
  });
});
