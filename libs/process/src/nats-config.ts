/**
 * The nats-server configuration file Meridian runs with. A file, not flags, because the
 * links between regions can only be configured in one.
 *
 * Regions are joined by leaf node connections: the first region's server listens for leaf
 * nodes, every other region's server connects to it. Each server's JetStream has its own
 * domain (the region id), so every region keeps its own streams and reaches a peer's
 * through `$JS.<peer>.API` (stream sources across the link). Other blocks (cluster,
 * accounts) go in through `extraConfig`.
 *
 * A linked server pings every 2 s (nats-server's default is 2 min): a link cut without a
 * TCP reset (a partition) is then closed after a few missed pongs, seconds rather than
 * minutes, so requests to the peer fail at once (no responders) and the link is dialled
 * again instead of waiting on a dead connection once the network heals.
 *
 * With `users`, a client must authenticate (an nkey, or a user and password) and may only
 * publish and subscribe to what its permissions allow; with leaf node `users`, so must a
 * region that links in (its remote URL carries the user and password). The file then holds
 * credentials: write it readable by its owner only.
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
  /** the JetStream domain (Meridian: the region id), so peers address this server's streams */
  jetStreamDomain?: string;
  /** leaf node links to other regions */
  leafnodes?: LeafnodeOptions;
  maxPayloadBytes: number;
  pidFile?: string;
  /** client authentication and permissions; without, any client may do anything */
  users?: readonly NatsUser[];
  /** appended verbatim: cluster, gateway, accounts blocks */
  extraConfig?: string;
}

export interface NatsUser {
  /** an nkey's public key (`U...`); the client signs the server's nonce with its seed */
  nkey?: string;
  user?: string;
  /** plain or a bcrypt hash (`$2a$...`) */
  password?: string;
  permissions?: {
    publish: readonly string[];
    subscribe: readonly string[];
    /** may publish once to the reply subject of each request it received */
    allowResponses?: boolean;
  };
}

export interface LeafnodeUser {
  user: string;
  password: string;
}

export interface LeafnodeOptions {
  /** accept leaf node connections on this address (the first region) */
  listen?: { host: string; port: number };
  /**
   * the `host:port` leaf nodes are told to reconnect to, when not the listen address (a
   * proxy in the way: leaf nodes add the address the hub advertises to their remotes)
   */
  advertise?: string;
  /**
   * connect to these leaf node listeners, e.g. `nats-leaf://127.0.0.1:7422`, or
   * `nats-leaf://<user>:<password>@127.0.0.1:7422` for a listener that has `users`
   */
  remotes?: readonly string[];
  /** the regions allowed to link in (on the listening side); without, any may */
  users?: readonly LeafnodeUser[];
}

/** how often a server with leaf node links pings its connections (`ping_max` stays 2) */
export const linkPingInterval = '2s';

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
  if (options.leafnodes) lines.push(`ping_interval: ${quote(linkPingInterval)}`);
  if (options.jetStreamDomain !== undefined && !options.jetStream)
    throw new Error('a JetStream domain needs JetStream');
  if (options.jetStreamDomain !== undefined && !/^[A-Za-z0-9_-]+$/.test(options.jetStreamDomain))
    throw new Error('a JetStream domain is letters, digits, dashes and underscores');
  if (options.jetStream) {
    lines.push('jetstream {', `  store_dir: ${quote(options.storeDir ?? '')}`);
    if (options.jetStreamDomain !== undefined)
      lines.push(`  domain: ${quote(options.jetStreamDomain)}`);
    lines.push('}');
  }
  if (options.users) lines.push(...renderAuthorization(options.users));
  if (options.leafnodes) lines.push(...renderLeafnodes(options.leafnodes));
  if (options.extraConfig) lines.push(options.extraConfig.trim());
  return `${lines.join('\n')}\n`;
}

function renderAuthorization(users: readonly NatsUser[]): string[] {
  if (users.length === 0) throw new Error('authorization needs at least one user');
  const lines = ['authorization {', '  users: ['];
  for (const user of users) {
    if ((user.nkey === undefined) === (user.user === undefined))
      throw new Error('a NATS user has either an nkey or a user name');
    if (user.user !== undefined && !user.password)
      throw new Error(`NATS user ${user.user} needs a password`);
    const fields =
      user.nkey !== undefined
        ? [`nkey: ${quote(user.nkey)}`]
        : [`user: ${quote(user.user ?? '')}`, `password: ${quote(user.password ?? '')}`];
    if (user.permissions) {
      const { publish, subscribe, allowResponses } = user.permissions;
      fields.push(
        `permissions: { publish: { allow: ${list(publish)} }, subscribe: { allow: ${list(subscribe)} }${
          allowResponses ? ', allow_responses: true' : ''
        } }`,
      );
    }
    lines.push(`    { ${fields.join(', ')} }`);
  }
  lines.push('  ]', '}');
  return lines;
}

function renderLeafnodes({ listen, advertise, remotes = [], users }: LeafnodeOptions): string[] {
  if (listen === undefined && remotes.length === 0)
    throw new Error('leaf nodes need a listen address or at least one remote');
  const lines = ['leafnodes {'];
  if (listen !== undefined) lines.push(`  listen: ${quote(`${listen.host}:${listen.port}`)}`);
  if (advertise !== undefined) lines.push(`  advertise: ${quote(advertise)}`);
  if (users !== undefined) {
    if (listen === undefined) throw new Error('leaf node users need a listen address');
    lines.push('  authorization {', '    users: [');
    for (const { user, password } of users)
      lines.push(`      { user: ${quote(user)}, password: ${quote(password)} }`);
    lines.push('    ]', '  }');
  }
  if (remotes.length > 0) {
    lines.push('  remotes: [');
    for (const url of remotes) lines.push(`    { url: ${quote(url)} }`);
    lines.push('  ]');
  }
  lines.push('}');
  return lines;
}

function list(values: readonly string[]): string {
  return `[${values.map(quote).join(', ')}]`;
}

/** nats-server reads JSON-style double-quoted strings. */
function quote(value: string): string {
  return JSON.stringify(value);
}
