#!/usr/bin/env node
// Makes sure the Debian packages the tests run against are installed: the broker, the real
// clients (skopeo, podman, buildah, umoci), Chromium for the portal's browser tests, Ceph
// RGW as the S3 server, Go for the OCI conformance suite, CNCF distribution to compare
// against, and the deployment checks' docker-compose and kubectl (Debian's
// kubernetes-client, only when no kubectl is on PATH: another package's kubectl would
// collide with it). Idempotent: when everything is there it only asks dpkg. When something
// is missing it installs it as root with apt-get (one `apt-get update`, one install),
// otherwise it prints the command and fails.
//
//   node tools/ensure-system-packages.mjs [package ...]    (default: the test packages)
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

export const testPackages = [
  'nats-server',
  'skopeo',
  'podman',
  'buildah',
  'umoci',
  'radosgw',
  'ceph-mon',
  'ceph-osd',
  'golang-go',
  'docker-registry',
  'docker-compose',
  // libs/scanning's tests build zstd layers and zipped advisory databases with these
  'zstd',
  'zip',
  // the portal's browser tests drive Debian's Chromium through puppeteer-core (no download)
  'chromium',
  ...(commandExists('kubectl') ? [] : ['kubernetes-client']),
];

function commandExists(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** The packages of `wanted` dpkg does not report as installed; undefined without dpkg. */
export function missingPackages(wanted) {
  const query = spawnSync('dpkg-query', ['-W', '-f=${Package} ${db:Status-Status}\\n', ...wanted], {
    encoding: 'utf8',
  });
  if (query.error) return undefined;
  const installed = new Set(
    query.stdout
      .split('\n')
      .map((line) => line.trim().split(' '))
      .filter(([, status]) => status === 'installed')
      .map(([name]) => name.split(':')[0]),
  );
  return wanted.filter((name) => !installed.has(name));
}

/** Returns true when every package is (now) installed; prints why not otherwise. */
export function ensureSystemPackages(wanted = testPackages, log = (line) => console.log(line)) {
  const missing = missingPackages(wanted);
  if (missing === undefined) {
    log(
      `[packages] not a Debian system (no dpkg-query): install ${wanted.join(' ')} by other means`,
    );
    return false;
  }
  if (missing.length === 0) return true;

  const command = `apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  const isRoot = process.getuid?.() === 0;
  const hasAptGet = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!isRoot || !hasAptGet) {
    log(`[packages] missing Debian packages: ${missing.join(', ')}`);
    log(`[packages] install them with: sudo apt-get update && sudo ${command}`);
    return false;
  }

  log(`[packages] installing ${missing.join(', ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (args) => spawnSync('apt-get', args, { stdio: 'inherit', env }).status === 0;
  if (!run(['update']) || !run(['install', '-y', '--no-install-recommends', ...missing])) {
    log(`[packages] apt-get failed; install them with: ${command}`);
    return false;
  }
  const still = missingPackages(wanted) ?? wanted;
  if (still.length > 0) {
    log(`[packages] still missing after apt-get: ${still.join(', ')}`);
    return false;
  }
  return true;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const wanted = process.argv.slice(2);
  process.exit(ensureSystemPackages(wanted.length > 0 ? wanted : testPackages) ? 0 : 1);
}
