/**
 * Brings a whole multi-region Meridian up on this machine, in dependency order: Postgres
 * (with one database per region), one nats-server per region (joined by leaf node links),
 * then the services (side by side, in every region at once; replication once the others
 * answer: see startServices). Every process is supervised
 * (restarted with back-off when it dies) and `stop()` takes them down in reverse order:
 * services first, then the brokers, then the database.
 */
import { mkdir } from 'node:fs/promises';
import type { MeridianService } from '@meridian/contracts';
import { describeExit, ProcessStartError } from '@meridian/process';
import { adminPasswordEnv, loginCommand, resolveAdminPassword } from './admin-password';
import type { LauncherConfig } from './config';
import { ensureNatsServer } from './ensure-nats-server';
import type { LauncherOutput } from './launcher-output';
import { resolveNatsCredentials } from './nats-credentials';
import { natsUnit } from './nats.launcher';
import { embeddedPostgresUnit, ensureDatabase } from './postgres.launcher';
import { planRegions, type RegionLayout } from './region-layout';
import { hubLeafnodePort, regionLinks } from './region-links';
import { replicationPeers } from './replication-peers';
import type { ServiceEntries } from './service-entries';
import { resolveServiceSecrets } from './service-secrets';
import {
  type RegionInfrastructure,
  type ServiceSpec,
  regionServices,
  serviceUnit,
} from './services.launcher';
import { type SupervisedUnit, Supervisor, type SupervisorEvents } from './supervisor';

type Tier = 'postgres' | 'nats' | 'services';
const stopOrder: readonly Tier[] = ['services', 'nats', 'postgres'];

export class LauncherStoppedError extends Error {
  override readonly name = 'LauncherStoppedError';
}

export class Launcher {
  private readonly tiers: Record<Tier, Supervisor[]> = { postgres: [], nats: [], services: [] };
  private stopping = false;
  private readonly events: SupervisorEvents;

  constructor(
    private readonly config: LauncherConfig,
    private readonly output: LauncherOutput,
    private readonly entries: ServiceEntries,
    /** a process could not be brought back: everything should stop */
    onFatal: (error: Error) => void,
  ) {
    this.events = {
      exited: (name, status, restartInMs) =>
        output.warn(`${name} ${describeExit(status)}; restarting it in ${restartInMs} ms`),
      startFailed: (name, error, retryInMs) =>
        // its output has just been shown: the reason is enough until we give up
        output.warn(
          `${name} failed to start; trying again in ${retryInMs} ms`,
          {},
          error instanceof ProcessStartError ? error.reason : error.message,
        ),
      gaveUp: (_name, error) => onFatal(error),
    };
  }

  /** Resolves once every region answers; rejects when something cannot be started. */
  async start(): Promise<RegionLayout[]> {
    const layouts = planRegions(this.config);
    const natsBinary = await ensureNatsServer(this.output);
    await mkdir(this.config.dataDir, { recursive: true });
    const admin = await resolveAdminPassword(this.config.dataDir, process.env);
    // every service inherits the launcher's environment: the auth service enables `admin` with it
    process.env[adminPasswordEnv] = admin.password;
    // …and the keys that seal signing keys and webhook secrets at rest
    Object.assign(process.env, await resolveServiceSecrets(this.config.dataDir, process.env));
    const natsCredentials = await resolveNatsCredentials(this.config.dataDir, this.config.regions);
    const standAlone = this.config.regions.filter(
      (region) => !this.config.replications.includes(region),
    );
    this.output.info('starting', {
      regions: this.config.regions.join(','),
      ...(standAlone.length > 0
        ? { replications: this.config.replications.join(','), standAlone: standAlone.join(',') }
        : {}),
      data: this.config.dataDir,
    });

    const serverUrl = await this.startPostgres();
    const databaseUrls = await Promise.all(
      layouts.map((layout) =>
        ensureDatabase(serverUrl, layout.databaseName).catch((error: Error) => {
          throw new Error(`could not create database ${layout.databaseName}: ${error.message}`);
        }),
      ),
    );

    const links = regionLinks(
      layouts,
      layouts.length > 1 ? await hubLeafnodePort(layouts[0]!) : 0,
      natsCredentials.leafUserOf,
    );
    const natsUnits = layouts.map((layout, index) =>
      natsUnit(
        layout,
        natsBinary,
        this.output,
        links[index],
        natsCredentials.usersOf(layout.region),
      ),
    );
    await Promise.all(natsUnits.map((unit) => this.supervise('nats', unit)));
    for (const [index, unit] of natsUnits.entries()) {
      this.output.info('nats-server ready', { region: layouts[index]?.region, url: unit.url });
    }

    const peers = replicationPeers(layouts, this.config.replications);
    const infrastructure = layouts.map((layout, index) => ({
      natsUrl: natsUnits[index]!.url,
      databaseUrl: databaseUrls[index]!,
      peers: peers[index]!,
      natsSeedOf: (service: string) =>
        natsCredentials.seedOf(layout.region, service as MeridianService),
    }));
    for (const afterPeers of [false, true]) {
      await Promise.all(
        layouts.map((layout, index) =>
          this.startServices(
            layout,
            infrastructure[index]!,
            regionServices.filter((spec) => (spec.afterPeers ?? false) === afterPeers),
          ),
        ),
      );
    }
    this.output.ready(layouts.map((layout) => ({ region: layout.region, url: layout.gatewayUrl })));
    if (admin.source === 'file') {
      this.output.info(`log in with: ${loginCommand(layouts[0]!.gatewayUrl, admin.password)}`, {
        passwordFile: admin.file,
      });
    }
    return layouts;
  }

  /** Stops every process started, services first; safe to call while `start()` runs. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const tier of stopOrder)
      await Promise.all(this.tiers[tier].map((supervisor) => supervisor.stop()));
  }

  /** The impatient way out (a second Ctrl-C): SIGKILL to everything still running. */
  kill(): void {
    this.stopping = true;
    for (const tier of stopOrder)
      for (const supervisor of this.tiers[tier]) supervisor.process?.signal('SIGKILL');
  }

  private async startPostgres(): Promise<string> {
    if (this.config.databaseUrl) {
      this.output.info('using the Postgres server of DATABASE_URL');
      return this.config.databaseUrl;
    }
    const unit = embeddedPostgresUnit(this.config, this.output);
    await this.supervise('postgres', unit);
    this.output.info('embedded postgres ready', { url: unit.url, data: unit.dataDir });
    return unit.url;
  }

  /**
   * Services start side by side, in every region at once, as compose starts them: none needs
   * another to answer before it is ready (what they ask each other at start is retried in
   * the background), so their module loading and initialisation, most of a start's CPU,
   * overlap with each other's waits for Postgres and NATS. Only those marked `afterPeers`
   * (replication) wait until the others of every region answer (see services.launcher.ts).
   * The registry is announced once every one of them answers.
   */
  private async startServices(
    layout: RegionLayout,
    infra: RegionInfrastructure,
    specs: readonly ServiceSpec[],
  ): Promise<void> {
    await Promise.all(
      specs.map((spec) =>
        this.supervise(
          'services',
          serviceUnit(spec, layout, infra, {
            config: this.config,
            output: this.output,
            entries: this.entries,
          }),
        ),
      ),
    );
  }

  private async supervise(tier: Tier, unit: SupervisedUnit): Promise<void> {
    if (this.stopping) throw new LauncherStoppedError(`not starting ${unit.name}: stopping`);
    const supervisor = new Supervisor(unit, this.events);
    this.tiers[tier].push(supervisor);
    await supervisor.start();
  }
}
