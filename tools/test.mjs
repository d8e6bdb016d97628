#!/usr/bin/env node
// `npm test [-- <jest args>]`: everything CI checks, in order.
//   1. the Debian packages the tests use are installed (tools/ensure-system-packages.mjs)
//   2. test servers for the whole run, started in the background while 3 and 4 run: one
//      Ceph RGW (S3), and an embedded Postgres when the machine's does not answer
//   3. lint (`nx run-many -t lint`, `prettier --check .`)  skipped with MERIDIAN_TEST_SKIP_LINT=1
//   4. typecheck (`tsc --noEmit`, the workspace and the portal's browser code)
//                                              skipped with MERIDIAN_TEST_SKIP_TYPECHECK=1
//   5. jest over every project (jest.config.js), with the servers' MERIDIAN_TEST_* env;
//      arguments after `--` go to jest (`npm test -- libs/oci`)
// The servers are stopped whatever happens. Exit status: jest's when it failed, else 1
// when any other step failed. The last lines are a summary with jest's counts.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { ensureSystemPackages } from './ensure-system-packages.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const bin = (name) => join(root, 'node_modules', '.bin', name);
const defaultPostgresUrl = 'postgres://postgres@127.0.0.1:5432/postgres';
const serverStartTimeoutMs = 300_000;

const results = [];
const servers = [];
let current;
let interrupted;

const log = (line) => console.log(`[test] ${line}`);
const seconds = (ms) => `${(ms / 1000).toFixed(1)}s`;

async function phase(name, work) {
  if (interrupted) return 'skipped';
  const started = Date.now();
  log(`${name}: started`);
  let status;
  try {
    status = (await work()) ? 'passed' : 'failed';
  } catch (error) {
    if (!interrupted) console.error(error instanceof Error ? error.message : error);
    status = 'failed';
  }
  if (interrupted) status = 'interrupted';
  results.push({ name, status, ms: Date.now() - started });
  log(`${name}: ${status} in ${seconds(Date.now() - started)}`);
  return status;
}

function skip(name, reason) {
  results.push({ name, status: 'skipped', ms: 0, note: reason });
  log(`${name}: skipped (${reason})`);
}

/** Runs a command in the foreground with inherited output; resolves with its exit code. */
function run(command, args, env = process.env) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, env, stdio: 'inherit' });
    current = child;
    child.once('error', (error) => {
      console.error(error);
      resolve(1);
    });
    child.once('exit', (code, signal) => {
      current = undefined;
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}

/**
 * Starts a test server CLI (`--env-out <file>`) in its own process group and resolves with
 * the KEY=VALUE lines it writes once its server is ready.
 */
async function startServer(name, script) {
  const dir = await mkdtemp(join(tmpdir(), `meridian-${name}-env-`));
  const envFile = join(dir, 'env');
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', script, '--env-out', envFile],
    {
      cwd: root,
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const tail = [];
  let pending = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      tail.push(line);
      if (tail.length > 40) tail.shift();
      if (process.env.MERIDIAN_TEST_VERBOSE === '1') console.error(`[${name}] ${line}`);
    }
  });
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  servers.push({ name, child, exited, dir });

  const deadline = Date.now() + serverStartTimeoutMs;
  for (;;) {
    const text = await readFile(envFile, 'utf8').catch(() => undefined);
    if (text !== undefined) {
      return Object.fromEntries(
        text
          .split('\n')
          .filter((line) => line.includes('='))
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      );
    }
    if (
      child.exitCode !== null ||
      child.signalCode !== null ||
      Date.now() > deadline ||
      interrupted
    ) {
      throw new Error(`${name} did not start; its last output:\n${tail.join('\n')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function stopServers() {
  await Promise.all(
    servers.splice(0).map(async ({ name, child, exited, dir }) => {
      if (child.exitCode === null && child.signalCode === null) {
        signalGroup(child, 'SIGTERM');
        const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), 60_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
      log(`${name}: stopped`);
    }),
  );
}

function signalGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

async function postgresAnswers(url) {
  const sql = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => undefined });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 }).catch(() => undefined);
  }
}

/** The env the test servers add, once they are up. */
async function startTestServers() {
  const env = {};
  if (!process.env.MERIDIAN_TEST_S3_ENDPOINT) {
    Object.assign(env, await startServer('ceph-rgw', 'libs/testing/src/ceph-rgw.cli.ts'));
  }
  const configured = process.env.MERIDIAN_TEST_POSTGRES_URL;
  if (!(await postgresAnswers(configured || defaultPostgresUrl))) {
    if (configured)
      throw new Error('MERIDIAN_TEST_POSTGRES_URL names a Postgres server that does not answer');
    log('the machine has no Postgres on 127.0.0.1:5432: starting an embedded one for this run');
    Object.assign(env, await startServer('postgres', 'libs/testing/src/postgres.cli.ts'));
  }
  return env;
}

function summarizeJest(report) {
  if (!report) return [];
  const counts = (failed, passed, total, pending = 0, todo = 0) =>
    [
      failed && `${failed} failed`,
      pending && `${pending} skipped`,
      todo && `${todo} todo`,
      `${passed} passed`,
      `${total} total`,
    ]
      .filter(Boolean)
      .join(', ');
  return [
    `Test Suites: ${counts(report.numFailedTestSuites, report.numPassedTestSuites, report.numTotalTestSuites, report.numPendingTestSuites)}`,
    `Tests:       ${counts(report.numFailedTests, report.numPassedTests, report.numTotalTests, report.numPendingTests, report.numTodoTests)}`,
  ];
}

async function main() {
  const jestArgs = process.argv.slice(2);
  const env = { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false' };

  const packages = await phase('system packages', () => ensureSystemPackages());
  if (packages !== 'passed') return 1;

  // the servers start while lint and typecheck run
  const serversStarted = Date.now();
  const serverEnv = startTestServers();
  serverEnv.catch(() => undefined);

  if (process.env.MERIDIAN_TEST_SKIP_LINT === '1') skip('lint', 'MERIDIAN_TEST_SKIP_LINT=1');
  else
    await phase(
      'lint',
      async () =>
        (await run(bin('nx'), ['run-many', '-t', 'lint'], env)) === 0 &&
        (await run(bin('prettier'), ['--check', '--log-level', 'warn', '.'], env)) === 0,
    );

  if (process.env.MERIDIAN_TEST_SKIP_TYPECHECK === '1')
    skip('typecheck', 'MERIDIAN_TEST_SKIP_TYPECHECK=1');
  else
    await phase(
      'typecheck',
      async () =>
        (await run(bin('tsc'), ['-p', 'tsconfig.json', '--noEmit'], env)) === 0 &&
        (await run(bin('tsc'), ['-p', 'apps/portal/tsconfig.json', '--noEmit'], env)) === 0,
    );

  let extraEnv = {};
  const waited = Date.now();
  await phase('test servers', async () => {
    extraEnv = await serverEnv;
    log(
      `test servers: ready ${seconds(Date.now() - serversStarted)} after start (waited ${seconds(Date.now() - waited)})`,
    );
    return true;
  });

  const reportDir = await mkdtemp(join(tmpdir(), 'meridian-jest-'));
  const reportFile = join(reportDir, 'report.json');
  let jestStatus = 0;
  await phase('jest', async () => {
    jestStatus = await run(
      bin('jest'),
      [
        '--config',
        'jest.config.js',
        '--runInBand',
        '--forceExit',
        '--json',
        '--outputFile',
        reportFile,
        ...jestArgs,
      ],
      { ...env, ...extraEnv },
    );
    return jestStatus === 0;
  });
  const report = await readFile(reportFile, 'utf8').then(JSON.parse, () => undefined);
  await rm(reportDir, { recursive: true, force: true });

  await stopServers();

  console.log('');
  for (const { name, status, ms, note } of results) {
    log(
      `${name.padEnd(16)} ${status.padEnd(11)} ${seconds(ms).padStart(7)}${note ? `  (${note})` : ''}`,
    );
  }
  for (const line of summarizeJest(report)) console.log(line);

  if (interrupted) return interrupted === 'SIGINT' ? 130 : 143;
  if (jestStatus !== 0) return jestStatus;
  return results.every(({ status }) => status === 'passed' || status === 'skipped') ? 0 : 1;
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (interrupted) process.exit(1);
    interrupted = signal;
    log(`${signal}: stopping`);
    // Ctrl-C reaches the foreground step itself; a SIGTERM sent to us alone must be passed on
    if (signal === 'SIGTERM') current?.kill('SIGTERM');
  });
}

main().then(
  async (code) => {
    await stopServers();
    process.exit(code);
  },
  async (error) => {
    console.error(error);
    await stopServers();
    process.exit(1);
  },
);
