/**
 * The official OCI distribution-spec conformance suite (tools/conformance), all four
 * workflows, against the registry under test: the bar for correctness is no failure.
 * The suite is a Go program built from Debian packages; where it cannot be built here,
 * the test is skipped and its name says why.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { conformanceFailures } from './support/conformance-failures';
import { repoRoot } from './support/registry-log';
import { type RegistryUnderTest, registryKind, startRegistry } from './support/registry-under-test';

const runScript = join(repoRoot, 'tools', 'conformance', 'run.sh');
const buildScript = join(repoRoot, 'tools', 'conformance', 'build.sh');
const suiteTimeoutMs = 600_000;

/** Builds the suite while jest collects tests, so a build failure can name the skip. */
function buildSuite(): { ok: true } | { ok: false; reason: string } {
  if (!existsSync(runScript) || !existsSync(buildScript))
    return { ok: false, reason: 'tools/conformance is missing' };
  const build = spawnSync(buildScript, { cwd: repoRoot, encoding: 'utf8', timeout: 600_000 });
  if (build.status === 0) return { ok: true };
  const lastLine = `${build.stderr ?? ''}${build.error?.message ?? ''}`.trim().split('\n').pop();
  return { ok: false, reason: `tools/conformance/build.sh failed: ${lastLine}` };
}

interface SuiteResult {
  status: number | null;
  output: string;
}

function runSuite(url: string, env: NodeJS.ProcessEnv): Promise<SuiteResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(runScript, [url], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const timer = setTimeout(() => {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
      reject(
        new Error(`the conformance suite did not finish within ${suiteTimeoutMs} ms\n${output}`),
      );
    }, suiteTimeoutMs);
    child.once('error', reject);
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, output });
    });
  });
}

const suite = buildSuite();

describe('OCI distribution-spec conformance', () => {
  let registry: RegistryUnderTest;
  let reportDir: string;

  beforeAll(async () => {
    if (!suite.ok) return;
    reportDir = await mkdtemp(join(tmpdir(), 'meridian-e2e-conformance-'));
    registry = await startRegistry('conformance');
  }, 300_000);

  afterAll(async () => {
    await registry?.dispose();
    if (reportDir) await rm(reportDir, { recursive: true, force: true });
  });

  if (!suite.ok) {
    it.skip(`passes all four workflows (skipped: ${suite.reason})`, () => undefined);
    return;
  }

  it('passes all four workflows: pull, push, content discovery, content management', async () => {
    // OCI_DEBUG prints every exchange, so each failure can be reported with its request
    const env: NodeJS.ProcessEnv = { ...process.env, OCI_REPORT_DIR: reportDir, OCI_DEBUG: '1' };
    if (registryKind() === 'meridian') {
      // the suite logs in as the admin account, as docker does (token from the challenge)
      env['OCI_USERNAME'] = registry.credentials.username;
      env['OCI_PASSWORD'] = registry.credentials.password;
      // Meridian mounts a blob it already holds when a client who may read every
      // repository (the admin) names no `from` repository
      env['OCI_AUTOMATIC_CROSSMOUNT'] = '1';
    }
    const { status, output } = await runSuite(registry.url, env);

    // Ginkgo's own closing line: run.sh's summary cannot be read when the debug output
    // holds blob bytes (its grep then sees a binary file)
    const summary = /(?:SUCCESS|FAIL)! -- (\d+) Passed \| (\d+) Failed/.exec(output);
    const report = `${output.split('\n').slice(-40).join('\n')}\n\n${registry.describeOutput(20)}`;
    if (!summary)
      throw new Error(`the conformance suite printed no summary (exit ${status})\n${report}`);

    // each failed spec with its assertion and last exchange: a list of what to fix
    expect(conformanceFailures(output)).toEqual([]);
    expect(Number(summary[2])).toBe(0);
    expect(Number(summary[1])).toBeGreaterThan(70);
  });
});
