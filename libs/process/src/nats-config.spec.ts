import { defaultNatsMaxPayloadBytes, renderNatsConfig } from './nats-config';

describe(renderNatsConfig.name, () => {
  const base = {
    serverName: 'meridian-us-east',
    host: '127.0.0.1',
    port: 4222,
    httpPort: 8222,
    jetStream: true,
    storeDir: '/data/us-east/nats',
    maxPayloadBytes: defaultNatsMaxPayloadBytes,
  };

  it('writes listen, monitoring, payload limit and the JetStream store', () => {
    const sut = renderNatsConfig({ ...base, pidFile: '/data/nats.pid' });
    expect(sut.split('\n')).toEqual(
      expect.arrayContaining([
        'server_name: "meridian-us-east"',
        'listen: "127.0.0.1:4222"',
        'http: "127.0.0.1:8222"',
        'max_payload: 8388608',
        'pid_file: "/data/nats.pid"',
        '  store_dir: "/data/us-east/nats"',
      ]),
    );
  });

  it('appends extra blocks, for clusters and gateways', () => {
    const sut = renderNatsConfig({ ...base, extraConfig: '\ngateway {\n  name: "us-east"\n}\n' });
    expect(sut.endsWith('gateway {\n  name: "us-east"\n}\n')).toBe(true);
  });

  it('leaves JetStream out when it is off', () => {
    expect(renderNatsConfig({ ...base, jetStream: false, storeDir: undefined })).not.toContain(
      'jetstream',
    );
  });

  it('quotes paths so spaces and quotes survive', () => {
    expect(renderNatsConfig({ ...base, storeDir: '/a dir/"x"' })).toContain(
      'store_dir: "/a dir/\\"x\\""',
    );
  });

  it('refuses a payload limit nats-server would refuse', () => {
    expect(() => renderNatsConfig({ ...base, maxPayloadBytes: 65 * 1024 * 1024 })).toThrow(
      'max payload',
    );
  });

  it('refuses JetStream without a store directory', () => {
    expect(() => renderNatsConfig({ ...base, storeDir: undefined })).toThrow('store directory');
  });

  it('gives JetStream the region as its domain', () => {
    const sut = renderNatsConfig({ ...base, jetStreamDomain: 'eu-west' });
    expect(sut).toContain('jetstream {\n  store_dir: "/data/us-east/nats"\n  domain: "eu-west"\n}');
  });

  it('refuses a domain without JetStream, or one nats-server would misread', () => {
    expect(() =>
      renderNatsConfig({ ...base, jetStream: false, storeDir: undefined, jetStreamDomain: 'a' }),
    ).toThrow('needs JetStream');
    expect(() => renderNatsConfig({ ...base, jetStreamDomain: 'us.east' })).toThrow('domain');
  });

  it('listens for leaf nodes in the first region', () => {
    const sut = renderNatsConfig({
      ...base,
      leafnodes: { listen: { host: '127.0.0.1', port: 7422 } },
    });
    expect(sut).toContain('leafnodes {\n  listen: "127.0.0.1:7422"\n}');
  });

  it('advertises another address to leaf nodes when asked (a proxy in the link)', () => {
    const sut = renderNatsConfig({
      ...base,
      leafnodes: { listen: { host: '127.0.0.1', port: 7422 }, advertise: '127.0.0.1:7500' },
    });
    expect(sut).toContain('  listen: "127.0.0.1:7422"\n  advertise: "127.0.0.1:7500"\n}');
  });

  it('connects every other region to the leaf node listeners it is given', () => {
    const sut = renderNatsConfig({
      ...base,
      leafnodes: { remotes: ['nats-leaf://127.0.0.1:7422', 'nats-leaf://127.0.0.1:7423'] },
    });
    expect(sut).toContain(
      [
        'leafnodes {',
        '  remotes: [',
        '    { url: "nats-leaf://127.0.0.1:7422" }',
        '    { url: "nats-leaf://127.0.0.1:7423" }',
        '  ]',
        '}',
      ].join('\n'),
    );
  });

  it('pings the connections of a linked server every 2 s, so a dead link is closed in seconds', () => {
    const linked = renderNatsConfig({ ...base, leafnodes: { remotes: ['nats-leaf://h:7422'] } });
    expect(linked.split('\n')).toContain('ping_interval: "2s"');
    expect(renderNatsConfig(base)).not.toContain('ping_interval');
  });

  it('refuses a leaf node block that neither listens nor connects', () => {
    expect(() => renderNatsConfig({ ...base, leafnodes: { remotes: [] } })).toThrow('leaf nodes');
  });

  it('admits only the users given, each with its permissions', () => {
    const sut = renderNatsConfig({
      ...base,
      users: [
        {
          nkey: 'UABC',
          permissions: {
            publish: ['meridian.*.rpc.auth.>'],
            subscribe: ['_INBOX.us-east.gateway.>'],
          },
        },
        {
          user: 'ops',
          password: 'pw',
          permissions: { publish: [], subscribe: ['a'], allowResponses: true },
        },
      ],
    });
    expect(sut).toContain(
      '{ nkey: "UABC", permissions: { publish: { allow: ["meridian.*.rpc.auth.>"] }, subscribe: { allow: ["_INBOX.us-east.gateway.>"] } } }',
    );
    expect(sut).toContain(
      '{ user: "ops", password: "pw", permissions: { publish: { allow: [] }, subscribe: { allow: ["a"] }, allow_responses: true } }',
    );
    expect(() => renderNatsConfig({ ...base, users: [{ user: 'ops' }] })).toThrow(/password/);
  });

  it('admits only the leaf node users given on the listening side', () => {
    const sut = renderNatsConfig({
      ...base,
      leafnodes: {
        listen: { host: '127.0.0.1', port: 7422 },
        users: [{ user: 'leaf-eu-west', password: 'pw' }],
      },
    });
    expect(sut).toContain('      { user: "leaf-eu-west", password: "pw" }');
  });
});
