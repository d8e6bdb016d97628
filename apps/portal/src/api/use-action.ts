/** A button's change to the registry: which one runs, its failure, and a reload after it. */
import { useState } from 'react';

export interface Action {
  busy: string | undefined;
  error: Error | undefined;
  run: (key: string, action: () => Promise<unknown>) => void;
}

export function useAction(onDone: () => void): Action {
  const [busy, setBusy] = useState<string | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const run = (key: string, action: () => Promise<unknown>) => {
    setBusy(key);
    setError(undefined);
    action()
      .then(onDone)
      .catch((failure: unknown) =>
        setError(failure instanceof Error ? failure : new Error(String(failure))),
      )
      .finally(() => setBusy(undefined));
  };
  return { busy, error, run };
}
