import { AddressPolicy, embeddedV4 } from './address-policy';

describe(AddressPolicy.name, () => {
  const sut = new AddressPolicy();

  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.20.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.10.10', 'link-local'],
    ['169.254.169.254', 'cloud metadata'],
    ['100.100.100.200', 'cloud metadata'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['0.0.0.0', 'unspecified'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fd12:3456::1', 'unique-local'],
    ['fd00:ec2::254', 'cloud metadata'],
    ['fe80::1', 'link-local'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'cloud metadata'],
    ['64:ff9b::a00:1', 'private'],
    ['2002:c0a8:0101::1', 'private'],
  ])('refuses %s (%s)', (address, kind) => {
    const verdict = sut.check(address);
    expect(verdict.allowed).toBe(false);
    expect(verdict.reason).toContain(kind);
  });

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700::1111', '::ffff:8.8.8.8'])(
    'allows the public address %s',
    (address) => {
      expect(sut.check(address)).toEqual({ allowed: true });
    },
  );

  it('refuses what is not an address', () => {
    expect(sut.check('example.com').allowed).toBe(false);
  });

  it('allows what the operator lists, by address, CIDR or host name', () => {
    const allowing = new AddressPolicy([
      '127.0.0.1',
      '10.0.0.0/8',
      'Receiver.Internal',
      'fd00::/8',
    ]);
    expect(allowing.check('127.0.0.1').allowed).toBe(true);
    expect(allowing.check('::ffff:127.0.0.1').allowed).toBe(true);
    expect(allowing.check('10.9.8.7').allowed).toBe(true);
    expect(allowing.check('fd00::5').allowed).toBe(true);
    expect(allowing.check('127.0.0.2').allowed).toBe(false);
    expect(allowing.check('192.168.0.1').allowed).toBe(false);
    expect(allowing.allowsHost('receiver.internal')).toBe(true);
    expect(allowing.allowsHost('other.internal')).toBe(false);
  });
});

describe(embeddedV4.name, () => {
  it.each([
    ['::ffff:10.0.0.1', '10.0.0.1'],
    ['::ffff:a00:1', '10.0.0.1'],
    ['0:0:0:0:0:ffff:7f00:0001', '127.0.0.1'],
    ['64:ff9b::7f00:1', '127.0.0.1'],
    ['2002:7f00:1::', '127.0.0.1'],
  ])('finds the v4 address in %s', (v6, v4) => {
    expect(embeddedV4(v6)).toBe(v4);
  });

  it.each(['2606:4700::1111', '::1', 'fe80::1'])('finds none in %s', (v6) => {
    expect(embeddedV4(v6)).toBeUndefined();
  });
});
