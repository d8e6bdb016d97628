import { join, resolve } from 'node:path';
import { ManagedProcess } from '../src/managed-process';

const repoRoot = resolve(__dirname, '..', '..', '..');

// A parent that starts a child through ManagedProcess, says its pid, and waits.
const parentScript = `
const { ManagedProcess } = require(${JSON.stringify(join(repoRoot, 'libs/process/src/managed-process.ts'))});
const child = ManagedProcess.spawn({ name: 'child', command: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'] });
console.log(child.pid);
setInterval(() => {}, 1000);
`;

describe('orphan reaper', () => {
  it('stops the children of a process killed without a chance to stop them', async () => {
    const parent = ManagedProcess.spawn({
      name: 'parent',
      command: process.execPath,
      args: ['-r', '@swc-node/register', '-e', parentScript],
      cwd: repoRoot,
    });
    try {
      const childPid = Number(
        (await parent.waitForLine((line) => /^\d+$/.test(line.text), { timeoutMs: 30_000 })).text,
      );
      expect(isAlive(childPid)).toBe(true);
      await parent.stop({ signal: 'SIGKILL' });
      await expect(waitUntilGone(childPid, 10_000)).resolves.toBe(true);
    } finally {
      await parent.stop({ signal: 'SIGKILL' });
    }
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntilGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}
