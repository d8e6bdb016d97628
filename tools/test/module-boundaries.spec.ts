/**
 * The Nx module boundaries of eslint.config.mjs, as `nx lint` applies them: ESLint fails on
 * an import a project's tags forbid and passes the same import where the tags allow it. Each
 * probe is linted as the text of an existing entry file (the TypeScript project service only
 * knows files on disk), so nothing is written into the tree.
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..', '..');
const env = { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false' };

interface Probe {
  /** the project file whose place the probe takes */
  filePath: string;
  code: string;
}

interface Message {
  ruleId: string | null;
  message: string;
}

// ESLint loads its flat config with import(), which jest's module runtime cannot run: the
// probes are linted in a Node process of their own.
const lintProbes = `
import { ESLint } from 'eslint';
const eslint = new ESLint({ cwd: process.cwd() });
const messages = [];
for (const { filePath, code } of JSON.parse(process.argv[1])) {
  const [result] = await eslint.lintText(code, { filePath });
  messages.push(result.messages.map(({ ruleId, message }) => ({ ruleId, message })));
}
console.log(JSON.stringify(messages));
`;

function importing(filePath: string, specifier: string): Probe {
  return { filePath, code: `import * as lib from '${specifier}';\nexport const probe = lib;\n` };
}

/** The @nx/enforce-module-boundaries messages of each probe, in order. */
function boundaryViolations(probes: readonly Probe[]): string[][] {
  const linted = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', lintProbes, JSON.stringify(probes)],
    { cwd: root, env, encoding: 'utf8' },
  );
  if (linted.status !== 0) throw new Error(`eslint failed: ${linted.stderr}`);
  return (JSON.parse(linted.stdout) as Message[][]).map((messages) =>
    messages
      .filter(({ ruleId }) => ruleId === '@nx/enforce-module-boundaries')
      .map(({ message }) => message),
  );
}

describe('module boundaries', () => {
  const probes = {
    gatewayDatabase: importing('apps/gateway/src/main.ts', '@meridian/database'),
    gatewayScanning: importing('apps/gateway/src/main.ts', '@meridian/scanning'),
    manifestScanning: importing('apps/manifest/src/main.ts', '@meridian/scanning'),
    // (libraries nothing imports back, so the circular-dependency check stays out of it)
    storageDatabase: importing('libs/storage/src/index.ts', '@meridian/database'),
    contractsProcess: importing('libs/contracts/src/index.ts', '@meridian/process'),
    gatewayContracts: importing('apps/gateway/src/main.ts', '@meridian/contracts'),
    manifestDatabase: importing('apps/manifest/src/main.ts', '@meridian/database'),
    scanScanning: importing('apps/scan/src/main.ts', '@meridian/scanning'),
    cliMessaging: importing('apps/cli/src/main.ts', '@meridian/messaging'),
    cliOci: importing('apps/cli/src/main.ts', '@meridian/oci'),
    portalContracts: importing('apps/portal/src/main.tsx', '@meridian/contracts'),
  };
  let violations: Record<keyof typeof probes, string[]>;

  beforeAll(() => {
    // the rule reads the project graph (tags) Nx caches: bring it up to date first
    const nx = spawnSync(join(root, 'node_modules', '.bin', 'nx'), ['show', 'projects'], {
      cwd: root,
      env,
      encoding: 'utf8',
    });
    if (nx.status !== 0) throw new Error(`nx show projects failed: ${nx.stderr}`);
    const names = Object.keys(probes) as (keyof typeof probes)[];
    const results = boundaryViolations(names.map((name) => probes[name]));
    violations = Object.fromEntries(names.map((name, index) => [name, results[index]!])) as never;
  }, 120_000);

  it('keeps the gateway away from the database: it reaches data over NATS', () => {
    expect(violations.gatewayDatabase).toEqual([
      'A project tagged with "scope:gateway" can only depend on libs tagged with "scope:shared"',
    ]);
  });

  it('lets only the scan service import scanning', () => {
    expect(violations.gatewayScanning).toEqual([
      'A project tagged with "scope:gateway" can only depend on libs tagged with "scope:shared"',
    ]);
    expect(violations.manifestScanning).toEqual([
      'A project tagged with "scope:service" can only depend on libs tagged with "scope:shared", "scope:database"',
    ]);
    expect(violations.scanScanning).toEqual([]);
  });

  it('keeps the shared libraries below the database', () => {
    expect(violations.storageDatabase).toEqual([
      'A project tagged with "scope:shared" can only depend on libs tagged with "scope:shared"',
    ]);
  });

  it('keeps contracts pure of infrastructure', () => {
    expect(violations.contractsProcess).toEqual([
      'A project tagged with "type:contracts" can only depend on libs tagged with "type:domain", "type:contracts"',
    ]);
  });

  it('keeps the CLI a client of the HTTP API: the vocabulary, nothing that runs a service', () => {
    expect(violations.cliMessaging).toHaveLength(1);
    expect(violations.cliMessaging[0]).toMatch(/^A project tagged with "(scope|type):/);
    expect(violations.cliOci).toEqual([]);
  });

  it('keeps the portal a browser client of the public APIs: no Meridian library at all', () => {
    expect(violations.portalContracts).toEqual([
      'A project tagged with "scope:portal" cannot depend on any libs with tags',
    ]);
  });

  it('lets every service use the shared libraries, and the stateful ones the database', () => {
    expect(violations.gatewayContracts).toEqual([]);
    expect(violations.manifestDatabase).toEqual([]);
  });
});
