/**
 * Two regions' auth services, each with its own database and NATS, joined the way the
 * replication service joins them: every `auth.changed.v1` of one is applied to the other
 * with `auth.apply`. A token signed in one region verifies with the other's keys, and an
 * identity created in one logs in at the other.
 */
import { type AuthChanged, authManagementRpc as rpc, authRpc } from '@meridian/contracts';
import { expectEventually } from '@meridian/testing';
import { AuthServiceHarness } from './auth-service.harness';

describe('auth service: two regions', () => {
  let east: AuthServiceHarness;
  let west: AuthServiceHarness;

  beforeAll(async () => {
    [east, west] = await Promise.all([
      AuthServiceHarness.start('auth_east'),
      AuthServiceHarness.start('auth_west', { region: 'eu-west' }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([east?.stop(), west?.stop()]);
  });

  /** Applies every change `from` announced so far to `to`, as replication does. */
  async function replicate(from: AuthServiceHarness, to: AuthServiceHarness): Promise<void> {
    for (const event of from.eventsNamed('auth.changed.v1')) {
      await to.call(authRpc.apply, { event: event.payload as AuthChanged });
    }
  }

  it('accepts in one region the tokens and identities of the other', async () => {
    const { secret } = await east.call(rpc.servicePrincipalPut, {
      id: 'east-ci',
      roles: ['AcrPush'],
    });
    await expectEventually(() =>
      expect(east.eventsNamed('auth.changed.v1').map((event) => event.payload['kind'])).toEqual(
        expect.arrayContaining(['signing-key', 'service-principal']),
      ),
    );
    await replicate(east, west);

    const issuedInEast = await east.login('east-ci', secret!, ['repository:app:push']);
    const { payload } = await west.verify(issuedInEast.accessToken);
    expect(payload.sub).toBe('east-ci');

    const issuedInWest = await west.login('east-ci', secret!, ['repository:app:pull,push']);
    expect(issuedInWest.access).toEqual([
      { type: 'repository', name: 'app', actions: ['pull', 'push'] },
    ]);
    const westKeys = (await west.call(authRpc.keys, {})).keys.map((key) => key.kid);
    expect(westKeys).toHaveLength(2);
  });

  it('revokes in every region what one region deleted', async () => {
    await east.call(rpc.servicePrincipalDelete, { id: 'east-ci' });
    await expectEventually(() =>
      expect(
        east
          .eventsNamed('auth.changed.v1')
          .some((event) => event.payload['id'] === 'east-ci' && event.payload['record'] === null),
      ).toBe(true),
    );
    await replicate(east, west);
    await expect(west.call(rpc.servicePrincipalGet, { id: 'east-ci' })).rejects.toMatchObject({
      code: 'RESOURCE_UNKNOWN',
    });
  });
});
