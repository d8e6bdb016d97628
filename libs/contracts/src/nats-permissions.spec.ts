import { meridianServices, serviceInboxPrefix, servicePermissions } from './nats-permissions';
import { eventSubject, rpcSubject } from './subjects';

/** A NATS subject matched against a permission's pattern (`*` one token, `>` the rest). */
function matches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (s[i] === undefined || (p[i] !== '*' && p[i] !== s[i])) return false;
  }
  return p.length === s.length;
}
const allows = (patterns: readonly string[], subject: string) =>
  patterns.some((pattern) => matches(pattern, subject));

describe(servicePermissions.name, () => {
  it('lets a service subscribe only to its own RPCs and its own inbox', () => {
    for (const service of meridianServices) {
      const { subscribe } = servicePermissions('us-east', service);
      for (const other of meridianServices) {
        expect(allows(subscribe, rpcSubject('us-east', other, 'put'))).toBe(
          other === service && service !== 'gateway',
        );
      }
      expect(allows(subscribe, `${serviceInboxPrefix('us-east', service)}.abc`)).toBe(true);
      expect(allows(subscribe, '_INBOX.abc')).toBe(false);
    }
  });

  it('lets only the gateway call auth in this region, besides replication', () => {
    const principalPut = rpcSubject('us-east', 'auth', 'service-principal-put');
    const callers = meridianServices.filter((service) =>
      allows(servicePermissions('us-east', service).publish, principalPut),
    );
    expect(callers).toEqual(['gateway', 'replication']);
  });

  it('keeps the gateway away from stream management and the events', () => {
    const { publish } = servicePermissions('us-east', 'gateway');
    expect(allows(publish, '$JS.API.STREAM.CREATE.MERIDIAN_US_EAST_EVENTS')).toBe(false);
    expect(allows(publish, '$JS.API.STREAM.DELETE.MERIDIAN_US_EAST_PULLS')).toBe(false);
    expect(allows(publish, eventSubject('us-east', 'manifest.pushed.v1'))).toBe(false);
    expect(allows(publish, 'meridian.us-east.pulls.image.pulled.v1')).toBe(true);
  });

  it("lets the gateway ask a peer region's blob and manifest services for their usage", () => {
    const { publish } = servicePermissions('us-east', 'gateway');
    expect(allows(publish, rpcSubject('eu-west', 'blob', 'usage'))).toBe(true);
    expect(allows(publish, rpcSubject('eu-west', 'manifest', 'usage'))).toBe(true);
    // and answers none: a peer's gateway cannot be called through it
    expect(servicePermissions('us-east', 'gateway').allowResponses).toBe(false);
  });

  it('lets no service delete the events stream', () => {
    for (const service of meridianServices)
      expect(
        allows(
          servicePermissions('us-east', service).publish,
          '$JS.API.STREAM.DELETE.MERIDIAN_US_EAST_EVENTS',
        ),
      ).toBe(false);
  });

  it("lets the manifest service ask replication for a push's peer-held blobs, and not auth", () => {
    const { publish } = servicePermissions('eu-west', 'manifest');
    expect(allows(publish, rpcSubject('eu-west', 'replication', 'fetch-blobs'))).toBe(true);
    expect(allows(publish, rpcSubject('eu-west', 'auth', 'service-principal-put'))).toBe(false);
  });

  it("lets the blob service's scrub ask replication for a repair, and no other service", () => {
    const { publish } = servicePermissions('us-east', 'blob');
    expect(allows(publish, rpcSubject('us-east', 'replication', 'repair-blob'))).toBe(true);
    expect(allows(publish, rpcSubject('us-east', 'manifest', 'delete'))).toBe(false);
    expect(allows(publish, rpcSubject('us-east', 'auth', 'service-principal-put'))).toBe(false);
  });

  it("lets a service publish only its own region's events", () => {
    const { publish } = servicePermissions('us-east', 'manifest');
    expect(allows(publish, eventSubject('us-east', 'manifest.pushed.v1'))).toBe(true);
    expect(allows(publish, eventSubject('eu-west', 'manifest.pushed.v1'))).toBe(false);
  });
});
