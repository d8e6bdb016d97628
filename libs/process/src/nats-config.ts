/**
 * The nats-server configuration file Meridian runs with. A file, not flags, because
 * clusters and gateways between regions (the supercluster) can only be configured in
 * one: callers add those blocks through `extraConfig`.
 */

export interface NatsConfigOptions {
  serverName: string;
  host: string;
  port: number;
  /** the monitoring endpoint (`/healthz`, `/varz`, `/jsz`) */
  httpPort: number;
  jetStream: boolean;
  /** where JetStream keeps its streams; required when jetStream is on */
  storeDir?: string;
  maxPayloadBytes: number;
  pidFile?: string;
  /** appended verbatim: cluster, gateway, accounts blocks */
  extraConfig?: string;
}

/** nats-server refuses larger payloads than this (64 MiB). */
export const natsMaxPayloadLimit = 64 * 1024 * 1024;

/** Blob bytes never travel over NATS; 8 MiB leaves room for large manifests and indexes. */
export const defaultNatsMaxPayloadBytes = 8 * 1024 * 1024;

export function renderNatsConfig(options: NatsConfigOptions): string {
  if (options.jetStream && !options.storeDir)
    throw new Error('a JetStream server needs a store directory');
  if (options.maxPayloadBytes <= 0 || options.maxPayloadBytes > natsMaxPayloadLimit) {
    throw new Error(`max payload must be between 1 and ${natsMaxPayloadLimit} bytes`);
  }
  const lines = [
    `server_name: ${quote(options.serverName)}`,
    `listen: ${quote(`${options.host}:${options.port}`)}`,
    `http: ${quote(`${options.host}:${options.httpPort}`)}`,
    `max_payload: ${options.maxPayloadBytes}`,
  ];
  if (options.pidFile) lines.push(`pid_file: ${quote(options.pidFile)}`);
  if (options.jetStream)
    lines.push('jetstream {', `  store_dir: ${quote(options.storeDir ?? '')}`, '}');
  if (options.extraConfig) lines.push(options.extraConfig.trim());
  return `${lines.join('\n')}\n`;
}

/** nats-server reads JSON-style double-quoted strings. */
function quote(value: string): string {
  return JSON.stringify(value);
}
