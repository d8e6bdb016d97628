// `npm run bench:footprint [-- <runs>]`: what `npm start` (two regions) costs to start and to
// keep running. Each run starts it on one temporary data directory (MERIDIAN_PORT 25500),
// initialised by a first start that is not measured, waits for "meridian ready", lets it idle
// for BENCH_IDLE_SECONDS (10; the services' Postgres pools close what the start opened after
// 30 s unused, so 45 shows the registry at rest), then reads every process of its tree: RSS
// and PSS (/proc/<pid>/smaps_rollup; PSS shares the pages several processes map between
// them, so its total is the memory the tree really holds) per process, grouped as the
// launcher, each region's services, Postgres and the nats-servers. It prints the time to
// "meridian ready" (wall, and the CPU seconds of the tree until then), when each step of the
// start finished, and stops the tree with SIGINT.
// Wall time follows the machine's load; CPU seconds and memory do not. Figures:
// docs/benchmarks.md, "Start and footprint".
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const runs = Number(process.argv[2] ?? 1);
const idleMs = 1000 * Number(process.env.BENCH_IDLE_SECONDS ?? 10);
const dataDir = mkdtempSync(join(tmpdir(), 'meridian-bench-footprint-'));
const mib = (kib) => kib / 1024;

function readProcesses() {
  const processes = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
      processes.set(Number(entry), { pid: Number(entry), parent: Number(fields[1]), ticks });
    } catch {
      // the process ended while being read
    }
  }
  return processes;
}

/** `rootPid` and every live descendant */
function tree(rootPid) {
  const processes = readProcesses();
  const found = [];
  const pending = [rootPid];
  while (pending.length > 0) {
    const pid = pending.pop();
    const process = processes.get(pid);
    if (process) found.push(process);
    for (const [child, { parent }] of processes) if (parent === pid) pending.push(child);
  }
  return found;
}

const treeCpuSeconds = (rootPid) => tree(rootPid).reduce((sum, p) => sum + p.ticks, 0) / 100;

function memoryOf(pid) {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? 0);
  return { rss: field('Rss'), pss: field('Pss') };
}

/** What a process of the tree is: a region's service, its nats-server, Postgres, the launcher… */
function classify(pid) {
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  const command = argv.join(' ');
  const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  const region = env.find((line) => line.startsWith('MERIDIAN_REGION='))?.slice(16);
  // `npm start`'s shell names the launcher's script too
  if (argv[0] === 'sh' || argv[0] === '/bin/sh')
    return { group: 'npm (npm start, sh)', node: false };
  const service = /apps\/(\w+)\/src\/main\.[jt]s/.exec(command)?.[1];
  if (service === 'dev') return { group: 'launcher', node: true };
  if (service) return { group: `${region}/${service}`, node: true };
  if (/nats-server/.test(command)) {
    const natsRegion = /(?:^|\/)([a-z0-9-]+)\/nats\//.exec(command)?.[1] ?? '?';
    return { group: `${natsRegion}/nats-server`, node: false };
  }
  if (/postgres/.test(command)) return { group: 'postgres (every process)', node: false };
  if (/\bnpm\b/.test(command)) return { group: 'npm (npm start, sh)', node: true };
  return { group: `other: ${command.slice(0, 60)}`, node: false };
}

function footprint(rootPid) {
  const groups = new Map();
  for (const { pid } of tree(rootPid)) {
    try {
      const { group, node } = classify(pid);
      const { rss, pss } = memoryOf(pid);
      const entry = groups.get(group) ?? { processes: 0, node: 0, rss: 0, pss: 0 };
      entry.processes += 1;
      entry.node += node ? 1 : 0;
      entry.rss += rss;
      entry.pss += pss;
      groups.set(group, entry);
    } catch {
      // the process ended while being read
    }
  }
  return groups;
}

function startOnce({ measure }) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('npm', ['start'], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, MERIDIAN_DATA_DIR: dataDir, MERIDIAN_PORT: '25500', NX_TUI: 'false' },
    });
    let output = '';
    let ready;
    const steps = [];
    const timer = setTimeout(() => {
      process.kill(-child.pid, 'SIGKILL');
      reject(new Error(`no "meridian ready" within 4 minutes:\n${output.slice(-2000)}`));
    }, 240_000);
    const onLine = (line) => {
      const at = (performance.now() - started) / 1000;
      const service = /\[([\w-]+\/\w+)\].*service ready/.exec(line)?.[1];
      if (service) steps.push({ at, step: `${service} ready` });
      else if (/^(\[meridian\] )?(starting|embedded postgres ready|nats-server ready)/.test(line))
        steps.push({ at, step: line.replace(/^\[meridian\] /, '').split(' url=')[0] });
      else if (/node dist\/apps\/dev\/src\/main\.js/.test(line))
        steps.push({ at, step: 'build done' });
      if (ready || !line.includes('meridian ready')) return;
      ready = { seconds: at, cpu: treeCpuSeconds(child.pid), steps };
      clearTimeout(timer);
      if (!measure) return void process.kill(-child.pid, 'SIGINT');
      setTimeout(() => {
        ready.idleCpu = treeCpuSeconds(child.pid) - ready.cpu;
        ready.groups = footprint(child.pid);
        process.kill(-child.pid, 'SIGINT');
      }, idleMs);
    };
    let pending = '';
    const onData = (chunk) => {
      output += chunk;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const line of lines) onLine(line);
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    child.on('exit', (code) => {
      if (ready && (!measure || ready.groups)) resolve(ready);
      else reject(new Error(`npm start exited ${code}:\n${output.slice(-2000)}`));
    });
  });
}

function print(result) {
  console.log(
    `ready in ${result.seconds.toFixed(1)} s wall, ${result.cpu.toFixed(1)} CPU-s; ` +
      `${result.idleCpu.toFixed(2)} CPU-s in the ${idleMs / 1000} s idle after`,
  );
  for (const { at, step } of result.steps) console.log(`  ${at.toFixed(2).padStart(6)} s  ${step}`);
  const rows = [...result.groups].sort(([a], [b]) => a.localeCompare(b));
  const total = { processes: 0, node: 0, rss: 0, pss: 0 };
  console.log('  process group                        procs   RSS MiB   PSS MiB');
  for (const [group, entry] of rows) {
    for (const key of Object.keys(total)) total[key] += entry[key];
    console.log(
      `  ${group.padEnd(36)} ${String(entry.processes).padStart(5)} ${mib(entry.rss).toFixed(1).padStart(9)} ${mib(entry.pss).toFixed(1).padStart(9)}`,
    );
  }
  console.log(
    `  ${'total'.padEnd(36)} ${String(total.processes).padStart(5)} ${mib(total.rss).toFixed(1).padStart(9)} ${mib(total.pss).toFixed(1).padStart(9)}` +
      `   (${total.node} Node processes)`,
  );
  return total;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

try {
  // the first start initialises the data directory (databases, credentials): not measured
  await startOnce({ measure: false });
  const results = [];
  for (let run = 0; run < runs; run += 1) {
    const result = await startOnce({ measure: true });
    console.log(`run ${run + 1}:`);
    results.push({ ...result, total: print(result) });
  }
  if (results.length > 1) {
    const of = (pick) => median(results.map(pick));
    console.log(
      `median of ${results.length}: ${of((r) => r.seconds).toFixed(1)} s wall, ` +
        `${of((r) => r.cpu).toFixed(1)} CPU-s, RSS ${mib(of((r) => r.total.rss)).toFixed(0)} MiB, ` +
        `PSS ${mib(of((r) => r.total.pss)).toFixed(0)} MiB`,
    );
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
