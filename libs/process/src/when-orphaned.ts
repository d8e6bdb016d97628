/**
 * Calls `stop` once this process's parent has gone (it is then re-parented, and its
 * ppid changes). A foreground tool whose parent exited without passing a signal on (npm
 * does that with SIGTERM; a SIGKILLed test runner cannot) should stop what it runs.
 */
export function whenOrphaned(stop: () => void, intervalMs = 1000): () => void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    stop();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
