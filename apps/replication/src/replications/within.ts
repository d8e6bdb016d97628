/**
 * `work`'s outcome, or a rejection `no answer in <ms> ms` once `timeoutMs` has passed: for
 * what a peer's store does at the far end of a link (open, stat), which must never hold up
 * the caller. The work itself is not cancelled; its late outcome is ignored.
 */
export async function within<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
