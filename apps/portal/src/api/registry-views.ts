/**
 * The shapes the portal reads from the public APIs (README "The HTTP API"), and the calls
 * that fetch them, each with the token scope its route asks for.
 */
import type { RegistrySession } from './registry-session';

export interface RepositoryAttributes {
  imageName: string;
  createdTime: string;
  lastUpdateTime: string;
  manifestCount: number;
  tagCount: number;
}

export interface ChangeableAttributes {
  deleteEnabled: boolean;
  writeEnabled: boolean;
  readEnabled?: boolean;
  listEnabled?: boolean;
}

export interface ManifestAttributes {
  digest: string;
  imageSize: number;
  createdTime: string;
  lastUpdateTime: string;
  mediaType: string;
  architecture?: string;
  os?: string;
  tags?: string[];
  quarantineState?: string;
  changeableAttributes: ChangeableAttributes;
}

export interface TagAttributes {
  name: string;
  digest: string;
  createdTime: string;
  lastUpdateTime: string;
  changeableAttributes: ChangeableAttributes;
}

export interface Usage {
  region: string;
  bytes: number;
  blobCount: number;
  manifestCount: number;
  quotaBytes?: number;
  repositories: {
    name: string;
    sizeBytes: number;
    manifestCount: number;
    tagCount: number;
    uploadedBytes: number;
    quotaBytes?: number;
  }[];
}

export type RegionUsage =
  ({ available: true } & Usage) | { region: string; available: false; error: string };

export interface LagSample {
  time: string;
  lagMs: number;
  pending: number;
  connected: boolean;
}

export interface LagHistory {
  region: string;
  sampleIntervalSeconds: number;
  peers: { region: string; samples: LagSample[] }[];
}

export interface RegionStatus {
  region: string;
  state: 'ready' | 'pending' | 'failed';
  since: string;
  lagMs?: number;
  lastError?: string;
}

export interface PeerStatus {
  region: string;
  connected: boolean;
  eventsPending: number;
  oldestPendingAgeMs?: number;
  copyBytesPerSecond: number;
  lastError?: string;
  lastErrorAt?: string;
  /** anti-entropy's running or last pass with the peer */
  antiEntropy?: {
    state: 'running' | 'idle';
    mode: 'backfill' | 'continuous';
    lastPassAt?: string;
    repositoriesCompared: number;
    repaired: number;
    lastError?: string;
  };
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  platform?: { architecture: string; os: string; variant?: string };
}

export interface ImageManifest {
  mediaType?: string;
  config?: Descriptor;
  layers?: Descriptor[];
  manifests?: Descriptor[];
  subject?: Descriptor;
  artifactType?: string;
  annotations?: Record<string, string>;
}

export interface ImageConfig {
  architecture?: string;
  os?: string;
  created?: string;
  config?: {
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    Env?: string[] | null;
    Labels?: Record<string, string> | null;
    WorkingDir?: string;
    User?: string;
  };
}

export interface ScanFinding {
  id: string;
  aliases: string[];
  severity: string;
  package: { name: string; version: string; ecosystem?: string };
  fixedVersion?: string;
}

export interface ScanReport {
  quarantineState: string;
  quarantineDetails?: string;
  findings: Record<string, number>;
  images: { os?: string; packages: number; errors: string[]; findings: ScanFinding[] }[];
}

export interface WebhookView {
  name: string;
  region: string;
  serviceUri: string;
  actions: string[];
  scope: string;
  status: string;
  payloadFormat: string;
  createdAt: string;
}

/** A pull-through cache rule (`/api/v1/cache-rules`): pulls of `target` fetch from `source`. */
export interface CacheRule {
  name: string;
  source: string;
  target: string;
  credentialSet?: string;
  tagTtl: string;
  createdTime: string;
  updatedTime: string;
}

/** A region of the registry (`/api/v1/replications`), its status as the region called sees it. */
export interface Replication {
  region: string;
  natsDomain: string;
  storage: { type: 'filesystem'; path: string } | { type: 's3'; endpoint?: string; bucket: string };
  status: 'provisioning' | 'ready' | 'degraded';
  statusReason?: string;
  provisioning?: { compared: number; total?: number; repaired: number };
  lagMs?: number;
  updatedAt: string;
  local: boolean;
}

export interface DeliveryAttempt {
  attempt: number;
  startedAt: string;
  durationMs: number;
  request: { method: string; uri: string; headers: Record<string, string>; body: string };
  response?: { status: number; headers: Record<string, string>; body: string };
  error?: string;
}

export interface Delivery {
  id: string;
  eventId: string;
  action: string;
  state: 'pending' | 'succeeded' | 'dead';
  attempts: number;
  createdAt: string;
  nextAttemptAt?: string;
  lastError?: string;
  redeliveryOf?: string;
  log: DeliveryAttempt[];
}

const metadataRead = (repository: string) => `repository:${repository}:metadata_read`;
const pull = (repository: string) => `repository:${repository}:pull`;

export async function listRepositories(session: RegistrySession, limit = 1000): Promise<string[]> {
  const names: string[] = [];
  let last: string | undefined;
  while (names.length < limit) {
    const query = new URLSearchParams({ n: '100', ...(last ? { last } : {}) });
    const page = await session.json<{ repositories?: string[] }>(`/acr/v1/_catalog?${query}`, {
      scope: 'registry:catalog:*',
    });
    const repositories = page.repositories ?? [];
    names.push(...repositories);
    if (repositories.length < 100) break;
    last = repositories[repositories.length - 1];
  }
  return names;
}

export function repositoryAttributes(
  session: RegistrySession,
  repository: string,
): Promise<RepositoryAttributes> {
  return session.json(`/acr/v1/${repository}`, { scope: metadataRead(repository) });
}

export async function listManifests(
  session: RegistrySession,
  repository: string,
): Promise<ManifestAttributes[]> {
  const answer = await session.json<{ manifests?: ManifestAttributes[] }>(
    `/acr/v1/${repository}/_manifests?n=1000&orderby=timedesc`,
    { scope: metadataRead(repository) },
  );
  return answer.manifests ?? [];
}

export async function listTags(
  session: RegistrySession,
  repository: string,
): Promise<TagAttributes[]> {
  const answer = await session.json<{ tags?: TagAttributes[] }>(
    `/acr/v1/${repository}/_tags?n=1000&orderby=timedesc`,
    { scope: metadataRead(repository) },
  );
  return answer.tags ?? [];
}

/** PATCH a tag's changeable attributes (ACR's lock): Owner or Contributor. */
export function updateTag(
  session: RegistrySession,
  repository: string,
  tag: string,
  attributes: Partial<ChangeableAttributes>,
): Promise<unknown> {
  return session.json(`/acr/v1/${repository}/_tags/${tag}`, {
    method: 'PATCH',
    body: attributes,
    scope: `repository:${repository}:metadata_write`,
  });
}

const manifestTypes = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export async function imageManifest(
  session: RegistrySession,
  repository: string,
  reference: string,
): Promise<{ digest: string; manifest: ImageManifest }> {
  const response = await session.fetch(`/v2/${repository}/manifests/${reference}`, {
    scope: pull(repository),
    accept: manifestTypes,
  });
  const manifest = (await response.json()) as ImageManifest;
  return { digest: response.headers.get('docker-content-digest') ?? reference, manifest };
}

export async function imageConfig(
  session: RegistrySession,
  repository: string,
  digest: string,
): Promise<ImageConfig> {
  const response = await session.fetch(`/v2/${repository}/blobs/${digest}`, {
    scope: pull(repository),
    accept: '*/*',
  });
  return (await response.json()) as ImageConfig;
}

export async function referrers(
  session: RegistrySession,
  repository: string,
  digest: string,
): Promise<Descriptor[]> {
  const index = await session.json<{ manifests?: Descriptor[] }>(
    `/v2/${repository}/referrers/${digest}`,
    { scope: pull(repository), accept: 'application/vnd.oci.image.index.v1+json' },
  );
  return index.manifests ?? [];
}

export async function replicationStatus(
  session: RegistrySession,
  repository: string,
  reference: string,
): Promise<RegionStatus[]> {
  const query = new URLSearchParams({ repository, reference });
  const answer = await session.json<{ regions: RegionStatus[] }>(
    `/api/v1/replication/status?${query}`,
  );
  return answer.regions;
}

export function replicationRegions(
  session: RegistrySession,
): Promise<{ region: string; peers: PeerStatus[] }> {
  return session.json('/api/v1/replication/regions');
}

/** Each peer link's lag as the replication service sampled it over the last `minutes`. */
export function lagHistory(session: RegistrySession, minutes = 60): Promise<LagHistory> {
  return session.json(`/api/v1/replication/lag-history?minutes=${minutes}`);
}

export function scanReport(
  session: RegistrySession,
  repository: string,
  digest: string,
): Promise<ScanReport> {
  return session.json(`/api/v1/scans/${repository}/${digest}`);
}

export function usage(session: RegistrySession): Promise<Usage> {
  return session.json('/api/v1/usage');
}

/** Every region's usage, this one first; a region that did not answer in time is unavailable. */
export async function usageOfRegions(session: RegistrySession): Promise<RegionUsage[]> {
  return (await session.json<{ regions: RegionUsage[] }>('/api/v1/usage/regions')).regions;
}

export async function listWebhooks(session: RegistrySession): Promise<WebhookView[]> {
  return (await session.json<{ webhooks: WebhookView[] }>('/api/v1/webhooks')).webhooks;
}

export async function webhookDeliveries(
  session: RegistrySession,
  webhook: string,
): Promise<Delivery[]> {
  const answer = await session.json<{ deliveries: Delivery[] }>(
    `/api/v1/webhooks/${encodeURIComponent(webhook)}/events?n=50`,
  );
  return answer.deliveries;
}

export function pingWebhook(session: RegistrySession, webhook: string): Promise<unknown> {
  return session.json(`/api/v1/webhooks/${encodeURIComponent(webhook)}/ping`, { method: 'POST' });
}

export function redeliver(
  session: RegistrySession,
  webhook: string,
  delivery: string,
): Promise<unknown> {
  return session.json(
    `/api/v1/webhooks/${encodeURIComponent(webhook)}/events/${encodeURIComponent(delivery)}/redeliver`,
    { method: 'POST' },
  );
}

/** The registry's retention policy (Owner only; undefined for anyone else). */
export function retentionSetting(
  session: RegistrySession,
): Promise<{ enabled: boolean; days: number } | undefined> {
  return session
    .json<{ enabled: boolean; days: number }>('/api/v1/settings/retention')
    .catch(() => undefined);
}

/** Whether pushes are quarantined until scanned (Owner only; undefined for anyone else). */
export function quarantineSetting(
  session: RegistrySession,
): Promise<{ enabled: boolean } | undefined> {
  return session.json<{ enabled: boolean }>('/api/v1/settings/quarantine').catch(() => undefined);
}

export interface ServicePrincipal {
  id: string;
  description?: string;
  roles: string[];
  createdAt: string;
  updatedAt: string;
}

export interface ScopeMapRule {
  repository: string;
  actions: string[];
}

export interface ScopeMap {
  name: string;
  description?: string;
  rules: ScopeMapRule[];
  createdAt: string;
  updatedAt: string;
}

export interface PasswordInfo {
  slot: 1 | 2;
  createdAt: string;
  expiresAt?: string;
}

export interface RepositoryToken {
  name: string;
  scopeMap: string;
  status: 'enabled' | 'disabled';
  passwords: PasswordInfo[];
  createdAt: string;
  updatedAt: string;
}

/** The roles a service principal may hold (README "Roles"). */
export const roleNames = [
  'AcrPull',
  'AcrPush',
  'AcrDelete',
  'Reader',
  'Contributor',
  'Owner',
  'AcrQuarantineReader',
  'AcrQuarantineWriter',
] as const;

/** What a scope map may grant on the repositories it names. */
export const scopeMapActions = [
  'content/read',
  'content/write',
  'content/delete',
  'metadata/read',
  'metadata/write',
] as const;

const path = (collection: string, name: string) =>
  `/api/v1/${collection}/${encodeURIComponent(name)}`;

export async function listServicePrincipals(session: RegistrySession): Promise<ServicePrincipal[]> {
  return (
    await session.json<{ servicePrincipals: ServicePrincipal[] }>('/api/v1/service-principals')
  ).servicePrincipals;
}

/** Creates a service principal; its secret is in this answer only. */
export function createServicePrincipal(
  session: RegistrySession,
  id: string,
  body: { description?: string; roles: string[] },
): Promise<ServicePrincipal & { secret?: string }> {
  return session.json(path('service-principals', id), { method: 'PUT', body });
}

/** A new secret for the principal (the old one stops working); in this answer only. */
export function resetServicePrincipalSecret(
  session: RegistrySession,
  id: string,
): Promise<{ id: string; secret: string }> {
  return session.json(`${path('service-principals', id)}/reset-secret`, { method: 'POST' });
}

export function deleteServicePrincipal(session: RegistrySession, id: string): Promise<unknown> {
  return session.json(path('service-principals', id), { method: 'DELETE' });
}

export async function listScopeMaps(session: RegistrySession): Promise<ScopeMap[]> {
  return (await session.json<{ scopeMaps: ScopeMap[] }>('/api/v1/scope-maps')).scopeMaps;
}

export function putScopeMap(
  session: RegistrySession,
  name: string,
  body: { description?: string; rules: ScopeMapRule[] },
): Promise<ScopeMap> {
  return session.json(path('scope-maps', name), { method: 'PUT', body });
}

/** Refused (403) while a token uses the scope map. */
export function deleteScopeMap(session: RegistrySession, name: string): Promise<unknown> {
  return session.json(path('scope-maps', name), { method: 'DELETE' });
}

export async function listTokens(session: RegistrySession): Promise<RepositoryToken[]> {
  return (await session.json<{ tokens: RepositoryToken[] }>('/api/v1/tokens')).tokens;
}

/** Creates a token (without passwords: generate them). */
export function createToken(
  session: RegistrySession,
  name: string,
  scopeMap: string,
): Promise<RepositoryToken> {
  return session.json(path('tokens', name), { method: 'PUT', body: { scopeMap } });
}

export function setTokenStatus(
  session: RegistrySession,
  name: string,
  status: 'enabled' | 'disabled',
): Promise<RepositoryToken> {
  return session.json(path('tokens', name), { method: 'PATCH', body: { status } });
}

/** Replaces password `slot` of the token; the value is in this answer only. */
export function generateTokenPassword(
  session: RegistrySession,
  name: string,
  slot: 1 | 2,
): Promise<{ name: string; password: PasswordInfo & { value: string } }> {
  return session.json(`${path('tokens', name)}/passwords/${slot}/generate`, {
    method: 'POST',
    body: {},
  });
}

export function deleteToken(session: RegistrySession, name: string): Promise<unknown> {
  return session.json(path('tokens', name), { method: 'DELETE' });
}

export async function listReplications(session: RegistrySession): Promise<Replication[]> {
  return (await session.json<{ replications: Replication[] }>('/api/v1/replications')).replications;
}

/** Adds a region (or changes its store); it backfills what the registry holds. */
export function putReplication(
  session: RegistrySession,
  region: string,
  body: { natsDomain?: string; storage: { type: 'filesystem'; path: string } },
): Promise<Replication> {
  return session.json(path('replications', region), { method: 'PUT', body });
}

export function deleteReplication(session: RegistrySession, region: string): Promise<unknown> {
  return session.json(path('replications', region), { method: 'DELETE' });
}

export async function listCacheRules(session: RegistrySession): Promise<CacheRule[]> {
  return (await session.json<{ cacheRules: CacheRule[] }>('/api/v1/cache-rules')).cacheRules;
}

/** Creates or replaces a rule; the registry refuses a target overlapping another rule's. */
export function putCacheRule(
  session: RegistrySession,
  name: string,
  body: { source: string; target: string; credentialSet?: string; tagTtl?: string },
): Promise<CacheRule> {
  return session.json(path('cache-rules', name), { method: 'PUT', body });
}

export function deleteCacheRule(session: RegistrySession, name: string): Promise<unknown> {
  return session.json(path('cache-rules', name), { method: 'DELETE' });
}
