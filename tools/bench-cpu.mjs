#!/usr/bin/env node
// CPU time each part of a running Meridian spends on a workload, per operation: reads
// utime + stime of every Meridian service, nats-server and Postgres backend on this machine
// from /proc before and after a command (a bench run), and divides by the operations the
// command performs (blobs pushed, MB pushed, requests). Steadier than wall-clock rates on a
// shared two-core machine: it says which process pays, whoever else is running.
//
//   npm run bench:cpu -- --ops 300 -- node /tmp/bench/bench.mjs --url http://127.0.0.1:5000 \
//     --only small-blob --small-count 300
//
// Each line is `<ms per op>  <region>/<service>` (`postgres <database>`, `nats-server <region>`);
// the last is the total. With `--by-tree`, services and nats-servers are also told apart by
// the Meridian they belong to (the service's working directory, the nats-server's data
// directory), for two Meridians measured side by side; Postgres backends are not. Processes that ended during the command are not counted; idle work
// (pollers, heartbeats) during the command is, so keep runs of equal length when comparing.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

const separator = process.argv.indexOf('--');
const opsIndex = process.argv.indexOf('--ops');
const ops = Number(process.argv[opsIndex + 1]);
const command = process.argv.slice(separator + 1);
const byTree = process.argv.slice(0, separator).includes('--by-tree');
if (opsIndex < 0 || !(ops > 0) || separator < 0 || command.length === 0) {
  console.error('usage: bench-cpu --ops <operations> [--by-tree] -- <command> [args...]');
  process.exit(2);
}

const ticksPerSecond = 100; // USER_HZ on Linux

/** pid → { group, ticks } for every process that is part of a Meridian. */
function snapshot() {
  const found = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const group = groupOf(entry, argv);
      if (group === undefined) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      found.set(entry, { group, ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // the process ended while being read
    }
  }
  return found;
}

function groupOf(pid, argv) {
  const service = argv.join(' ').match(/apps\/([a-z]+)\/src\/main\.(js|ts)/)?.[1];
  if (service !== undefined) {
    const tree = byTree ? `${readlinkSync(`/proc/${pid}/cwd`)} ` : '';
    return `${tree}${regionOf(pid) ?? '?'}/${service}`;
  }
  if (argv[0].endsWith('nats-server')) {
    const config = argv[argv.indexOf('-c') + 1] ?? '';
    const [, dataDir, region] = config.match(/^(.*)\/([a-z]+-[a-z]+)\/nats\//) ?? [];
    if (region === undefined) return `nats-server ${config}`;
    return `${byTree ? `${dataDir} ` : ''}nats-server ${region}`;
  }
  const backend = argv[0].match(/^postgres: \S+ (meridian_\S+)/)?.[1];
  return backend === undefined ? undefined : `postgres ${backend}`;
}

function regionOf(pid) {
  const environment = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  return environment.find((line) => line.startsWith('MERIDIAN_REGION='))?.slice(16);
}

const before = snapshot();
const run = spawnSync(command[0], command.slice(1), { stdio: 'inherit' });
// what the command set off (replication, events) settles after it returns
await new Promise((resolve) => setTimeout(resolve, 2000));
const after = snapshot();

const byGroup = new Map();
for (const [pid, { group, ticks }] of after) {
  const spent = ticks - (before.get(pid)?.ticks ?? 0);
  byGroup.set(group, (byGroup.get(group) ?? 0) + spent);
}
const perOp = (ticks) => ((ticks * 1000) / ticksPerSecond / ops).toFixed(2).padStart(8);
const total = [...byGroup.values()].reduce((sum, ticks) => sum + ticks, 0);
for (const [group, ticks] of [...byGroup].sort((a, b) => b[1] - a[1])) {
  if (ticks > 0) console.log(`${perOp(ticks)} ms/op  ${group}`);
}
console.log(`${perOp(total)} ms/op  total`);
process.exit(run.status ?? 1);
