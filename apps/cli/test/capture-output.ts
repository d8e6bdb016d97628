/**
 * What a CLI command writes, kept instead of printed: the specs read it back. Call
 * `restore` in a `finally`, or later tests print into the arrays.
 */
export function captureOutput(): { out: string[]; err: string[]; restore: () => void } {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out.push(String(chunk));
    return true;
  });
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    err.push(String(chunk));
    return true;
  });
  return {
    out,
    err,
    restore() {
      stdout.mockRestore();
      stderr.mockRestore();
    },
  };
}
