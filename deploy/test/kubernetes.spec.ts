/**
 * The Kubernetes overlays, as `kubectl kustomize` renders them: every object is valid
 * against the Kubernetes API schemas (offline, from the npm package kubernetes-models), and
 * each region runs every Meridian service hardened (probes, resources, non-root, read-only
 * root, a /tmp of its own), disruption-budgeted and reachable only as the NetworkPolicies
 * say, with an environment the service itself accepts once the Secret's values are in.
 * The NATS Helm values give each region its JetStream domain and the leaf node link.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import {
  type Env,
  deployedServices,
  healthPortOf,
  parseRuntimeEnv,
  parseServiceEnv,
  repositoryRoot,
  requiredKeys,
} from './meridian-apps';
import { helmNatsUsers } from './nats-authorization';

interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string };
    configMapKeyRef?: { name: string; key: string };
  };
}

interface Probe {
  httpGet?: { path: string; port: string | number };
}

interface Container {
  name: string;
  args?: string[];
  env?: EnvVar[];
  envFrom?: Array<{ configMapRef?: { name: string } }>;
  ports?: Array<{ name?: string; containerPort: number }>;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean };
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}

interface PodSpec {
  securityContext?: { runAsNonRoot?: boolean };
  containers: Container[];
  volumes?: Array<{ name: string; emptyDir?: object }>;
}

const regions = [
  { region: 'us-east', peer: 'eu-west' },
  { region: 'eu-west', peer: 'us-east' },
] as const;

const secretName = 'meridian-secrets';

function render(region: string): KubernetesObject[] {
  const result = spawnSync(
    'kubectl',
    ['kustomize', join(repositoryRoot, 'deploy/k8s/overlays', region)],
    {
      encoding: 'utf8',
    },
  );
  if (result.error) throw new Error(`kubectl did not run: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`kubectl kustomize failed:\n${result.stderr}`);
  return parseAllDocuments(result.stdout).map((document) => document.toJS() as KubernetesObject);
}

/** The schema problems of each object, from validate-kubernetes-objects.mjs. */
function schemaProblems(objects: KubernetesObject[]): Array<{ object: string; error: string }> {
  const result = spawnSync(process.execPath, [join(__dirname, 'validate-kubernetes-objects.mjs')], {
    input: JSON.stringify(objects),
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`the validator failed:\n${result.stderr}`);
  return JSON.parse(result.stdout) as Array<{ object: string; error: string }>;
}

/** A well-formed stand-in for a value the operator keeps in the Secret. */
function secretStandIn(key: string): string {
  return key === 'DATABASE_URL'
    ? 'postgres://meridian:secret@postgres.example:5432/meridian'
    : 'a-secret-of-more-than-sixteen-characters';
}

describe.each(regions)('deploy/k8s/overlays/$region', ({ region, peer }) => {
  const objects = render(region);
  const services = deployedServices();

  const find = (kind: string, name: string): KubernetesObject | undefined =>
    objects.find((object) => object.kind === kind && object.metadata.name === name);
  const podSpec = (service: string): PodSpec =>
    (find('Deployment', `meridian-${service}`)?.spec as { template: { spec: PodSpec } }).template
      .spec;
  const containerOf = (service: string): Container => podSpec(service).containers[0] as Container;

  /** The container's environment as the kubelet builds it, the Secret's values stood in for. */
  function environmentOf(service: string): Env {
    const container = containerOf(service);
    // each service's NATS password is a key of its own
    const secretKeyOf = (variable: string) =>
      variable === 'MERIDIAN_NATS_PASSWORD'
        ? `MERIDIAN_NATS_${service.toUpperCase()}_PASSWORD`
        : variable;
    const env: Env = {};
    for (const source of container.envFrom ?? []) {
      const configMap = find('ConfigMap', source.configMapRef?.name ?? '');
      if (!configMap) throw new Error(`${service}: no ConfigMap ${source.configMapRef?.name}`);
      Object.assign(env, configMap.data);
    }
    for (const variable of container.env ?? []) {
      const { secretKeyRef, configMapKeyRef } = variable.valueFrom ?? {};
      if (secretKeyRef) {
        expect(secretKeyRef).toEqual(
          expect.objectContaining({ name: secretName, key: secretKeyOf(variable.name) }),
        );
        env[variable.name] = secretStandIn(secretKeyRef.key);
      } else if (configMapKeyRef) {
        env[variable.name] = find('ConfigMap', configMapKeyRef.name)?.data?.[configMapKeyRef.key];
      } else {
        env[variable.name] = variable.value;
      }
    }
    return env;
  }

  it('renders objects that are all valid against the Kubernetes API schemas', () => {
    expect(objects.length).toBeGreaterThan(20);
    expect(schemaProblems(objects)).toEqual([]);
  });

  it('puts everything in the meridian namespace, labelled with the region', () => {
    for (const object of objects) {
      expect(object.metadata.namespace).toBe('meridian');
      expect(object.metadata.labels?.['meridian.dev/region']).toBe(region);
    }
  });

  it.each(services)(
    'runs %s as a Deployment of the image, with the service as argument',
    (service) => {
      expect(containerOf(service).args).toEqual([service]);
    },
  );

  it.each(services)('gives %s every variable it requires, in a form it accepts', (service) => {
    const env = environmentOf(service);
    expect(requiredKeys(service).filter((key) => !env[key])).toEqual([]);
    const [config] = parseServiceEnv(service, env);
    expect(config?.['region']).toBe(region);
  });

  it.each(services)('probes %s for liveness and readiness where it answers them', (service) => {
    const container = containerOf(service);
    const portNumber = (port: string | number | undefined): number | undefined =>
      typeof port === 'number'
        ? port
        : container.ports?.find(({ name }) => name === port)?.containerPort;
    const answersOn = healthPortOf(service, environmentOf(service));
    expect(answersOn).toBeDefined();
    expect(container.livenessProbe?.httpGet?.path).toBe('/livez');
    expect(container.readinessProbe?.httpGet?.path).toBe('/readyz');
    expect(portNumber(container.livenessProbe?.httpGet?.port)).toBe(answersOn);
    expect(portNumber(container.readinessProbe?.httpGet?.port)).toBe(answersOn);
  });

  it.each(services)(
    'serves /metrics of %s on a health port Prometheus may reach and the Ingress does not',
    (service) => {
      const { healthPort } = parseRuntimeEnv(environmentOf(service));
      expect(containerOf(service).ports?.find(({ name }) => name === 'health')?.containerPort).toBe(
        healthPort,
      );
      const metricsIngress = find('NetworkPolicy', 'meridian-metrics-ingress')?.spec as {
        ingress: Array<{ ports: Array<{ port: number }> }>;
      };
      expect(metricsIngress.ingress[0]?.ports.map(({ port }) => port)).toEqual([healthPort]);
    },
  );

  it.each(services)('gives %s more time to stop than its own shutdown grace period', (service) => {
    const { shutdownGraceMs } = parseRuntimeEnv(environmentOf(service));
    const podGraceSeconds = (podSpec(service) as { terminationGracePeriodSeconds?: number })
      .terminationGracePeriodSeconds;
    expect(shutdownGraceMs).toBeLessThan((podGraceSeconds ?? 30) * 1000);
  });

  it.each(services)('bounds the resources of %s', (service) => {
    const { resources } = containerOf(service);
    for (const bound of [resources?.requests, resources?.limits])
      expect(Object.keys(bound ?? {}).sort()).toEqual(['cpu', 'memory']);
  });

  it.each(services)('runs %s non-root on a read-only root, with /tmp on an emptyDir', (service) => {
    const pod = podSpec(service);
    const container = containerOf(service);
    expect(pod.securityContext?.runAsNonRoot).toBe(true);
    expect(container.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
    });
    const tmp = container.volumeMounts?.find(({ mountPath }) => mountPath === '/tmp');
    expect(pod.volumes?.find(({ name }) => name === tmp?.name)?.emptyDir).toBeDefined();
  });

  it.each(services)(
    'keeps one %s pod through voluntary disruptions, and gives it a Service',
    (service) => {
      const labels = (
        find('Deployment', `meridian-${service}`)?.spec as {
          template: { metadata: { labels: Record<string, string> } };
        }
      ).template.metadata.labels;
      const budget = find('PodDisruptionBudget', `meridian-${service}`)?.spec as {
        minAvailable: number;
        selector: { matchLabels: Record<string, string> };
      };
      expect(budget.minAvailable).toBe(1);
      expect(labels).toMatchObject(budget.selector.matchLabels);
      const selector = (
        find('Service', `meridian-${service}`)?.spec as { selector: Record<string, string> }
      ).selector;
      expect(labels).toMatchObject(selector);
    },
  );

  it('lets replication and the gateway read the peer region store', () => {
    const [replication] = parseServiceEnv('replication', environmentOf('replication'));
    expect(replication?.['peers']).toEqual([peer]);
    const [, catchUp] = parseServiceEnv('gateway', environmentOf('gateway'));
    expect(Object.keys((catchUp?.['peerStores'] ?? {}) as object)).toEqual([peer]);
  });

  it("scales the gateway with an autoscaler and serves it through the region's Ingress", () => {
    const autoscaler = find('HorizontalPodAutoscaler', 'meridian-gateway')?.spec as {
      scaleTargetRef: { kind: string; name: string };
      minReplicas: number;
    };
    expect(autoscaler.scaleTargetRef).toMatchObject({
      kind: 'Deployment',
      name: 'meridian-gateway',
    });
    expect(autoscaler.minReplicas).toBeGreaterThanOrEqual(2);

    const ingress = find('Ingress', 'meridian-gateway')?.spec as {
      rules: Array<{
        host: string;
        http: {
          paths: Array<{
            path: string;
            backend: { service: { name: string; port: { name: string } } };
          }>;
        };
      }>;
    };
    const [rule] = ingress.rules;
    expect(rule?.host).toBe(`${region}.registry.example.com`);
    // the registry's public paths, and not the health and metrics endpoints
    const paths = rule?.http.paths.map(({ path }) => path) ?? [];
    expect(paths).toEqual(expect.arrayContaining(['/v2', '/oauth2', '/api/v1', '/acr/v1']));
    for (const internal of ['/livez', '/readyz', '/metrics'])
      expect(paths.filter((path) => internal.startsWith(path))).toEqual([]);
    const backend = rule?.http.paths[0]?.backend.service;
    const servicePorts = (
      find('Service', backend?.name ?? '')?.spec as { ports: Array<{ name: string }> }
    ).ports;
    expect(servicePorts.map(({ name }) => name)).toContain(backend?.port.name);
    const [gateway] = parseServiceEnv('gateway', environmentOf('gateway'));
    expect(containerOf('gateway').ports?.[0]?.containerPort).toBe(gateway?.['port']);
  });

  it('denies all traffic but what the NetworkPolicies allow, the gateway port among it', () => {
    const policies = objects.filter(({ kind }) => kind === 'NetworkPolicy');
    const denyAll = policies.find(({ spec }) => {
      const { podSelector, policyTypes, ingress, egress } = spec as Record<string, unknown>;
      return (
        Object.keys((podSelector as { matchLabels?: object }).matchLabels ?? {}).length === 0 &&
        JSON.stringify(policyTypes) === '["Ingress","Egress"]' &&
        ingress === undefined &&
        egress === undefined
      );
    });
    expect(denyAll).toBeDefined();
    const gatewayIngress = find('NetworkPolicy', 'meridian-gateway-ingress')?.spec as {
      ingress: Array<{ ports: Array<{ port: number }> }>;
    };
    expect(gatewayIngress.ingress[0]?.ports.map(({ port }) => port)).toEqual([
      containerOf('gateway').ports?.[0]?.containerPort,
    ]);
  });

  it.each(services)(
    'connects %s to NATS as its own user, over TLS verified with the mounted CA',
    (service) => {
      const env = environmentOf(service);
      expect(env['MERIDIAN_NATS_USER']).toBe(service);
      expect(env['MERIDIAN_NATS_PASSWORD']).toBeTruthy();
      expect(env['MERIDIAN_NATS_URL']).toMatch(/^tls:\/\//);
      const [config] = parseServiceEnv(service, env);
      expect(config?.['natsAuth']).toMatchObject({
        user: service,
        tls: { caFile: env['MERIDIAN_NATS_TLS_CA'] },
      });
      const mount = containerOf(service).volumeMounts?.find(({ mountPath }) =>
        (env['MERIDIAN_NATS_TLS_CA'] ?? '').startsWith(`${mountPath}/`),
      );
      const volume = podSpec(service).volumes?.find(({ name }) => name === mount?.name) as
        { secret?: { secretName: string } } | undefined;
      expect(volume?.secret?.secretName).toBe('meridian-nats-ca');
    },
  );

  it("admits to the region's NATS only the services, over TLS, each limited to its subjects", () => {
    const values = parse(
      readFileSync(join(repositoryRoot, 'deploy/k8s/nats', `values-${region}.yaml`), 'utf8'),
    ) as {
      config: {
        nats: { tls: { enabled: boolean } };
        cluster: { tls: { enabled: boolean } };
        leafnodes: { tls?: { enabled: boolean }; merge?: Record<string, unknown> };
        merge: { authorization: { users: unknown[] } };
      };
      container: { env: Record<string, { valueFrom: { secretKeyRef: { name: string } } }> };
    };
    expect(values.config.nats.tls.enabled).toBe(true);
    expect(values.config.cluster.tls.enabled).toBe(true);
    expect(values.config.merge.authorization.users).toEqual(helmNatsUsers(region));
    for (const service of services)
      expect(
        values.container.env[`NATS_${service.toUpperCase()}_PASSWORD`]?.valueFrom.secretKeyRef.name,
      ).toBe('meridian-nats-users');
    if (region === 'us-east') {
      expect(values.config.leafnodes.tls?.enabled).toBe(true);
      expect(values.config.leafnodes.merge?.['authorization']).toEqual({
        user: 'leaf-eu-west',
        password: '<< $NATS_LEAF_PASSWORD >>',
      });
    } else {
      expect(values.config.leafnodes.merge?.['remotes']).toEqual([
        { urls: ['<< $NATS_LEAF_URL >>'] },
      ]);
    }
  });

  it('describes a NATS Helm release with JetStream domain and a leaf node link for the region', () => {
    const values = parse(
      readFileSync(join(repositoryRoot, 'deploy/k8s/nats', `values-${region}.yaml`), 'utf8'),
    ) as {
      config: {
        jetstream: { enabled: boolean; merge: { domain: string } };
        leafnodes: { enabled: boolean; merge?: { remotes?: unknown[] } };
        gateway?: unknown;
        merge: { max_payload: number; ping_interval?: string };
      };
    };
    expect(values.config.jetstream).toMatchObject({ enabled: true, merge: { domain: region } });
    expect(values.config.leafnodes.enabled).toBe(true);
    expect(values.config.gateway).toBeUndefined();
    expect(values.config.merge.max_payload).toBeGreaterThanOrEqual(8 * 1024 * 1024);
    // a dead link is noticed in seconds (nats-server's default ping is every 2 min)
    expect(values.config.merge.ping_interval).toBe('2s');
    // the hub (us-east) listens; every other region connects to it
    expect(values.config.leafnodes.merge?.remotes?.length ?? 0).toBe(region === 'us-east' ? 0 : 1);
  });
});
