// `npm run bench:start [-- <runs>]`: how long `npm start` takes to print "meridian ready", and
// the CPU seconds its process tree used until then, against `npm run start:dev` (the services
// compiled at start by @swc-node/register), A B A B. Every run starts the two regions
// (MERIDIAN_PORT 25400) on one temporary data directory, initialised by a first start that is
// not measured, and stops them with SIGINT. Figures: docs/benchmarks.md, "Start".
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const runs = Number(process.argv[2] ?? 3);
const dataDir = mkdtempSync(join(tmpdir(), 'meridian-bench-start-'));
const variants = [
  { name: 'npm start (compiled)', script: 'start' },
  { name: 'npm run start:dev (sources)', script: 'start:dev' },
];

/** user+sys seconds of `rootPid` and every live descendant */
function treeCpuSeconds(rootPid) {
  const processes = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
      processes.set(Number(entry), { parent: Number(fields[1]), ticks });
    } catch {
      // the process ended while being read
    }
  }
  let total = 0;
  const pending = [rootPid];
  while (pending.length > 0) {
    const pid = pending.pop();
    total += processes.get(pid)?.ticks ?? 0;
    for (const [child, { parent }] of processes) if (parent === pid) pending.push(child);
  }
  return total / 100;
}

function timeStart(script) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('npm', ['run', script], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, MERIDIAN_DATA_DIR: dataDir, MERIDIAN_PORT: '25400', NX_TUI: 'false' },
    });
    let output = '';
    let ready;
    const timer = setTimeout(() => {
      process.kill(-child.pid, 'SIGKILL');
      reject(new Error(`no "meridian ready" within 4 minutes:\n${output.slice(-2000)}`));
    }, 240_000);
    const onData = (chunk) => {
      output += chunk;
      if (ready || !output.includes('meridian ready')) return;
      ready = { ms: performance.now() - started, cpu: treeCpuSeconds(child.pid) };
      clearTimeout(timer);
      process.kill(-child.pid, 'SIGINT');
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    child.on('exit', (code) => {
      if (ready) resolve(ready);
      else reject(new Error(`npm run ${script} exited ${code}:\n${output.slice(-2000)}`));
    });
  });
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

try {
  // the first start initialises the data directory (databases, credentials): not measured
  await timeStart('start');
  const results = new Map(variants.map(({ name }) => [name, []]));
  for (let run = 0; run < runs; run += 1) {
    for (const { name, script } of variants) {
      const result = await timeStart(script);
      results.get(name).push(result);
      console.log(
        `${name}: ${(result.ms / 1000).toFixed(1)} s wall, ${result.cpu.toFixed(1)} CPU-s`,
      );
    }
  }
  for (const [name, measured] of results) {
    const wall = median(measured.map((result) => result.ms / 1000)).toFixed(1);
    const cpu = median(measured.map((result) => result.cpu)).toFixed(1);
    console.log(`median ${name}: ${wall} s wall, ${cpu} CPU-s over ${measured.length} runs`);
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
