/**
 * The registry a test file runs against: a whole Meridian started by the dev launcher
 * with its default two regions (the default; tests talk to the first region's gateway),
 * or CNCF distribution when MERIDIAN_E2E_REGISTRY=distribution, to check
 * the tests themselves against the reference implementation. One per test file, shared by
 * its tests; `dispose()` in afterAll stops it and removes its data.
 */
import { type ExitStatus, type RegistryClient } from '@meridian/testing';
import { startDistribution } from './distribution';
import { startMeridian } from './meridian';

export interface RegistryUnderTest {
  readonly kind: 'meridian' | 'distribution';
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `127.0.0.1:<port>`, as image references name the registry */
  readonly host: string;
  /** logged in as `credentials` (a token per repository, fetched on the first 401) */
  readonly client: RegistryClient;
  /**
   * Meridian: the launcher's second region (eu-west), whose gateway answers on the port after
   * `url`'s; `url` is the first region's (us-east). Distribution has one.
   */
  readonly otherRegion?: {
    readonly url: string;
    readonly host: string;
    readonly client: RegistryClient;
  };
  /** the admin account (Meridian); distribution, which has no authentication, ignores them */
  readonly credentials: RegistryCredentials;
  /**
   * a containers-auth.json holding `credentials` for `host`, as `skopeo login` writes it:
   * skopeo, podman and buildah read it through REGISTRY_AUTH_FILE
   */
  readonly authFile: string;
  /** where it keeps everything; the same across `stop()` and `start()` */
  readonly dataDir: string;
  /** the last lines it wrote, and where the whole log is, for failure messages */
  describeOutput(lines?: number): string;
  /** a clean shutdown (SIGTERM), keeping the data */
  stop(): Promise<ExitStatus>;
  /** starts again on the same port and data */
  start(): Promise<void>;
  /** stops it and removes its data */
  dispose(): Promise<void>;
}

export interface RegistryCredentials {
  username: string;
  password: string;
}

export type RegistryKind = RegistryUnderTest['kind'];

export function registryKind(): RegistryKind {
  const kind = process.env['MERIDIAN_E2E_REGISTRY'] ?? 'meridian';
  if (kind !== 'meridian' && kind !== 'distribution')
    throw new Error(`MERIDIAN_E2E_REGISTRY must be meridian or distribution, not ${kind}`);
  return kind;
}

/** Starts the registry for one test file; `label` names its log file. */
export function startRegistry(label: string): Promise<RegistryUnderTest> {
  return registryKind() === 'distribution' ? startDistribution(label) : startMeridian(label);
}
