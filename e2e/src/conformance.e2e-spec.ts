/**
 * The official OCI distribution-spec conformance suite (tools/conformance), all four
 * workflows, against the registry under test: the bar for correctness is no failure.
 * The suite is a Go program built from Debian packages; where it cannot be built here,
 * the test is skipped and its name says why.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
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

  beforeAll(async () => {
    if (suite.ok) registry = await startRegistry('conformance');
  }, 300_000);

  afterAll(async () => {
    await registry?.dispose();
  });

  if (!suite.ok) {
    it.skip(`passes all four workflows (skipped: ${suite.reason})`, () => undefined);
    return;
  }

  it('passes all four workflows: pull, push, content discovery, content management', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, OCI_REPORT_DIR: 'none' };
    // Meridian mounts a blob it already holds when a client names no `from` repository
    if (registryKind() === 'meridian') env['OCI_AUTOMATIC_CROSSMOUNT'] = '1';
    const { status, output } = await runSuite(registry.url, env);

    const summary = /^conformance: (\d+) passed, (\d+) failed, (\d+) skipped$/m.exec(output);
    const failedSpecs = output
      .split('\n')
      .filter((line) => /^\s+\[(Fail|Panic!)\]/.test(line))
      .map((line) => line.trim());
    const report = `${output.split('\n').slice(-60).join('\n')}\n\n${registry.describeOutput(20)}`;
    if (!summary)
      throw new Error(`the conformance suite printed no summary (exit ${status})\n${report}`);

    // the names of the failed specs, so a failure reads as a list of what to fix
    expect(failedSpecs).toEqual([]);
    expect({ failed: Number(summary[2]), exitStatus: status }).toEqual({
      failed: 0,
      exitStatus: 0,
    });
    expect(Number(summary[1])).toBeGreaterThan(70);
  });
});
