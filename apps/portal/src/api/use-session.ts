/** The signed-in session, for every page under the layout; and data loading with it. */
import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import type { RegistrySession } from './registry-session';

export const SessionContext = createContext<RegistrySession | undefined>(undefined);

export function useSession(): RegistrySession {
  const session = useContext(SessionContext);
  if (session === undefined) throw new Error('useSession outside a signed-in page');
  return session;
}

export interface Loaded<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload: () => void;
}

/**
 * Runs `load` with the session when `key` changes, and again every `pollMs` when given (the
 * live pages: a new answer replaces the old without a reload; a failed poll keeps the last
 * data and shows the error). Answers of a superseded load are dropped.
 */
export function useLoad<T>(
  key: string,
  load: (session: RegistrySession) => Promise<T>,
  pollMs?: number,
): Loaded<T> {
  const session = useSession();
  const [data, setData] = useState<T | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const [loading, setLoading] = useState(true);
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    let current = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = () => {
      loadRef
        .current(session)
        .then((value) => {
          if (!current) return;
          setData(value);
          setError(undefined);
        })
        .catch((failure: unknown) => {
          if (current) setError(failure instanceof Error ? failure : new Error(String(failure)));
        })
        .finally(() => {
          if (!current) return;
          setLoading(false);
          if (pollMs !== undefined) timer = setTimeout(run, pollMs);
        });
    };
    setLoading(true);
    run();
    return () => {
      current = false;
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [key, session, pollMs, generation]);

  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  return { data, error, loading, reload };
}
