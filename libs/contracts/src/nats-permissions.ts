/**
 * What each Meridian service may publish and subscribe to on its region's NATS: the table a
 * nats-server's `authorization` block is written from (the launcher renders it; compose and
 * Kubernetes carry the same lists). A service subscribes to its own RPCs and to replies on
 * its own inbox prefix, answers requests through `allow_responses`, calls only the services
 * it uses, publishes only the events it emits, and reaches JetStream's API only for the
 * streams it keeps or reads. Anything else is refused by the server: a scan user cannot
 * create a service principal, the gateway cannot answer auth's RPCs or manage streams.
 *
 * Built from the same functions as the subjects (subjects.ts), so the two cannot drift.
 */
import {
  eventStreamName,
  eventSubjectWildcard,
  peerEventsStreamName,
  pullStreamName,
  pullSubjectWildcard,
  rpcSubjectWildcard,
  rpcVerbWildcard,
} from './subjects';

export const meridianServices = [
  'gateway',
  'auth',
  'manifest',
  'blob',
  'replication',
  'webhook',
  'scan',
] as const;
export type MeridianService = (typeof meridianServices)[number];

export interface NatsPermissions {
  publish: string[];
  subscribe: string[];
  /** may answer the requests it receives (publish once to their reply subject) */
  allowResponses: boolean;
}

/**
 * The inbox prefix of a service's connection: replies to its requests (RPC answers,
 * JetStream acknowledgements, pulled messages) arrive under it, and no other service may
 * subscribe there.
 */
export function serviceInboxPrefix(region: string, service: string): string {
  return `_INBOX.${region}.${service}`;
}

/** A service whose RPCs are called: every one of them, or only the verbs named. */
type Callee = MeridianService | { service: MeridianService; verbs: readonly string[] };

interface ServiceAccess {
  /** services whose RPCs it calls, in any region */
  calls: readonly Callee[];
  /** answers its own RPCs */
  serves: boolean;
  /** publishes the region's events (the outbox relay) and keeps the events stream */
  emitsEvents: boolean;
  /** streams it creates, updates or deletes */
  keeps: (region: string) => string[];
  /** streams it reads with durable consumers */
  consumes: (region: string) => string[];
  /** streams it only looks at */
  inspects: (region: string) => string[];
  /** other subjects it publishes */
  publishes: (region: string) => string[];
}

const none = () => [];

const access: Record<MeridianService, ServiceAccess> = {
  gateway: {
    calls: ['auth', 'blob', 'manifest', 'replication', 'scan', 'webhook'],
    serves: false,
    emitsEvents: false,
    keeps: none,
    consumes: none,
    inspects: (region) => [pullStreamName(region)],
    publishes: (region) => [pullSubjectWildcard(region)],
  },
  auth: {
    calls: [],
    serves: true,
    emitsEvents: true,
    keeps: none,
    consumes: none,
    inspects: none,
    publishes: none,
  },
  manifest: {
    // replication: a push whose blobs (or an index's children) only a peer holds has them
    // fetched (fetch-blobs, fetch-manifests)
    calls: ['blob', 'replication'],
    serves: true,
    emitsEvents: true,
    keeps: none,
    consumes: none,
    inspects: none,
    publishes: none,
  },
  blob: {
    // garbage collection asks which blobs manifests reference; the scrub has a corrupt or
    // missing blob copied over from a peer: those two verbs and nothing else
    calls: [
      { service: 'manifest', verbs: ['blob-references'] },
      { service: 'replication', verbs: ['repair-blob'] },
    ],
    serves: true,
    emitsEvents: true,
    keeps: none,
    consumes: none,
    inspects: none,
    publishes: none,
  },
  replication: {
    calls: ['auth', 'blob', 'manifest', 'replication', 'webhook'],
    serves: true,
    emitsEvents: true,
    keeps: (region) => [peerEventsStreamName(region)],
    consumes: (region) => [eventStreamName(region), peerEventsStreamName(region)],
    inspects: (region) => [peerEventsStreamName(region)],
    // whether a peer's JetStream answers across the link
    publishes: () => ['$JS.*.API.INFO'],
  },
  webhook: {
    calls: ['manifest', 'webhook'],
    serves: true,
    emitsEvents: true,
    keeps: (region) => [pullStreamName(region)],
    consumes: (region) => [eventStreamName(region), pullStreamName(region)],
    inspects: none,
    publishes: none,
  },
  scan: {
    calls: ['blob', 'manifest', 'scan'],
    serves: true,
    emitsEvents: true,
    keeps: none,
    consumes: (region) => [eventStreamName(region)],
    inspects: none,
    publishes: none,
  },
};

/** The subjects `service` of `region` may publish and subscribe to. */
export function servicePermissions(region: string, service: MeridianService): NatsPermissions {
  const rules = access[service];
  const publish = new Set<string>(['$JS.API.INFO']);
  for (const callee of rules.calls) {
    if (typeof callee === 'string') publish.add(rpcSubjectWildcard('*', callee));
    else for (const verb of callee.verbs) publish.add(rpcVerbWildcard('*', callee.service, verb));
  }
  if (rules.emitsEvents) {
    publish.add(eventSubjectWildcard(region));
    // ensureEventStream: created or brought up to date, never deleted
    for (const verb of ['CREATE', 'UPDATE', 'INFO'])
      publish.add(`$JS.API.STREAM.${verb}.${eventStreamName(region)}`);
  }
  for (const stream of rules.keeps(region))
    for (const verb of ['CREATE', 'UPDATE', 'DELETE', 'INFO'])
      publish.add(`$JS.API.STREAM.${verb}.${stream}`);
  for (const stream of rules.inspects(region)) {
    publish.add(`$JS.API.STREAM.INFO.${stream}`);
    publish.add(`$JS.API.STREAM.MSG.GET.${stream}`);
    publish.add(`$JS.API.DIRECT.GET.${stream}`);
    publish.add(`$JS.API.DIRECT.GET.${stream}.>`);
  }
  for (const stream of rules.consumes(region)) {
    publish.add(`$JS.API.STREAM.INFO.${stream}`);
    publish.add(`$JS.API.CONSUMER.CREATE.${stream}`);
    publish.add(`$JS.API.CONSUMER.CREATE.${stream}.>`);
    publish.add(`$JS.API.CONSUMER.DURABLE.CREATE.${stream}.>`);
    publish.add(`$JS.API.CONSUMER.INFO.${stream}.>`);
    publish.add(`$JS.API.CONSUMER.MSG.NEXT.${stream}.>`);
    publish.add(`$JS.ACK.${stream}.>`);
  }
  for (const subject of rules.publishes(region)) publish.add(subject);
  const subscribe = [`${serviceInboxPrefix(region, service)}.>`];
  if (rules.serves) subscribe.unshift(rpcSubjectWildcard(region, service));
  return { publish: [...publish], subscribe, allowResponses: rules.serves };
}

/**
 * A read-only observer of a region (the embedded default's, for benchmarks and operators'
 * tools): it may watch the region's events and pulls as they are published and ask whether
 * a JetStream domain answers, nothing else; it calls no service and answers no request.
 */
export function observerPermissions(region: string): NatsPermissions {
  return {
    publish: ['$JS.API.INFO', '$JS.*.API.INFO'],
    subscribe: [
      eventSubjectWildcard(region),
      pullSubjectWildcard(region),
      `${serviceInboxPrefix(region, 'observer')}.>`,
    ],
    allowResponses: false,
  };
}
