import { isRealmHost } from './realm-host';

describe(isRealmHost.name, () => {
  it.each([
    '127.0.0.1:5000',
    '127.0.0.1',
    '127.1.2.3:5000',
    'localhost:5000',
    'LOCALHOST',
    'localhost.',
    'registry.localhost:5001',
    '[::1]:5000',
    '[::ffff:127.0.0.1]:5000',
  ])('accepts the loopback host %j', (host) => {
    expect(isRealmHost(host, '0.0.0.0')).toBe(true);
  });

  it.each([
    'evil.example',
    'evil.example:5000',
    '10.0.0.7:5000',
    '[fd00::1]:5000',
    'localhost.evil.example',
    '127.0.0.1.evil.example',
    'localhost:5000:1',
    'localhost:http',
    '',
  ])('refuses the host %j', (host) => {
    expect(isRealmHost(host, '0.0.0.0')).toBe(false);
  });

  it('refuses a request without Host', () => {
    expect(isRealmHost(undefined, '127.0.0.1')).toBe(false);
  });

  it('accepts the address the gateway listens on, not any when it listens on all', () => {
    expect(isRealmHost('192.168.1.5:5000', '192.168.1.5')).toBe(true);
    expect(isRealmHost('Registry.Lan:5000', 'registry.lan')).toBe(true);
    expect(isRealmHost('[fd00::5]:5000', 'fd00::5')).toBe(true);
    expect(isRealmHost('192.168.1.5:5000', '0.0.0.0')).toBe(false);
    expect(isRealmHost('[fd00::5]:5000', '::')).toBe(false);
  });
});
