/**
 * Children run in their own process groups (see managed-process.ts), so nothing takes
 * them down with us when we die without stopping them: a launcher or a test runner
 * killed with SIGKILL would leave services, brokers and databases running for good.
 *
 * The reaper is a small shell, started once per process, that reads from a pipe we hold:
 * `add <pgid> <signal>` when a child starts, `del <pgid>` when it has exited. When the pipe
 * closes (we exited, however) it sends every group still listed its stop signal, waits up
 * to ten seconds for them to go, and kills what remains. It is in a group of its own, so a
 * Ctrl-C meant for us does not reach it.
 */
import { type ChildProcess, spawn } from 'node:child_process';

const script = `
groups=""
while read -r op pgid signal; do
  case "$op" in
    add) groups="$groups $pgid:$signal" ;;
    del) kept=""; for entry in $groups; do [ "\${entry%%:*}" = "$pgid" ] || kept="$kept $entry"; done; groups=$kept ;;
  esac
done
[ -z "$groups" ] && exit 0
for entry in $groups; do kill -s "\${entry#*:}" -- "-\${entry%%:*}" 2>/dev/null; done
tries=0
while [ $tries -lt 100 ]; do
  alive=""
  for entry in $groups; do kill -0 -- "-\${entry%%:*}" 2>/dev/null && alive="$alive $entry"; done
  [ -z "$alive" ] && exit 0
  groups=$alive
  sleep 0.1
  tries=$((tries + 1))
done
for entry in $groups; do kill -s KILL -- "-\${entry%%:*}" 2>/dev/null; done
`;

let reaper: ChildProcess | undefined;

function tell(line: string): void {
  if (!reaper) {
    reaper = spawn('/bin/sh', ['-c', script], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    // the reaper must never keep us alive, nor fail us when it is gone
    reaper.unref();
    reaper.on('error', () => undefined);
    reaper.stdin?.on('error', () => undefined);
    (reaper.stdin as (NodeJS.WritableStream & { unref?: () => void }) | null)?.unref?.();
  }
  reaper.stdin?.write(`${line}\n`);
}

/** Lists a child's process group with the reaper; call the returned function once it has exited. */
export function reapIfOrphaned(pgid: number, stopSignal: NodeJS.Signals): () => void {
  tell(`add ${pgid} ${stopSignal.replace(/^SIG/, '')}`);
  return () => tell(`del ${pgid}`);
}
