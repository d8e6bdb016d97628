import { AddressPolicy } from './address-policy';
import { TargetRefused, pinnedLookup, resolveTarget } from './resolve-target';

describe(resolveTarget.name, () => {
  const policy = new AddressPolicy();
  const resolvingTo =
    (...addresses: string[]) =>
    async () =>
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

  it('answers the checked address of a public host', async () => {
    const target = await resolveTarget(
      'https://hooks.example.com/x',
      policy,
      resolvingTo('93.184.216.34'),
    );
    expect(target).toMatchObject({ address: '93.184.216.34', family: 4 });
  });

  it('refuses a host any of whose addresses is private', async () => {
    await expect(
      resolveTarget('http://mixed.example.com/', policy, resolvingTo('93.184.216.34', '10.0.0.1')),
    ).rejects.toThrow(TargetRefused);
  });

  it('refuses a literal metadata address, v4 or bracketed v6', async () => {
    await expect(resolveTarget('http://169.254.169.254/latest', policy)).rejects.toThrow(
      /metadata/,
    );
    await expect(resolveTarget('http://[fd00:ec2::254]/', policy)).rejects.toThrow(/metadata/);
    await expect(resolveTarget('http://[::ffff:127.0.0.1]:8080/', policy)).rejects.toThrow(
      /loopback/,
    );
  });

  it('refuses schemes other than http and https', async () => {
    await expect(resolveTarget('ftp://93.184.216.34/', policy)).rejects.toThrow(TargetRefused);
  });

  it('lets a host the operator lists resolve anywhere', async () => {
    const target = await resolveTarget(
      'http://receiver.internal:9000/',
      new AddressPolicy(['receiver.internal']),
      resolvingTo('10.0.0.7'),
    );
    expect(target.address).toBe('10.0.0.7');
  });

  it('pins the connection to the checked address', async () => {
    const target = await resolveTarget(
      'http://hooks.example.com/',
      policy,
      resolvingTo('93.184.216.34'),
    );
    const lookup = pinnedLookup(target);
    const answer = await new Promise<unknown>((resolve) =>
      lookup('hooks.example.com', {}, (_err, address) => resolve(address)),
    );
    expect(answer).toBe('93.184.216.34');
  });
});
