/** What a page shows while its data loads, or when the registry refused or failed. */
import { Alert, Loader } from '@mantine/core';
import { ApiError } from '../api/registry-session';

export function LoadState({ error, loading }: { error: Error | undefined; loading: boolean }) {
  if (error !== undefined) {
    const denied = error instanceof ApiError && (error.status === 403 || error.code === 'DENIED');
    return (
      <Alert
        color={denied ? 'yellow' : 'red'}
        title={denied ? 'Not allowed' : 'Failed'}
        role="alert"
      >
        {denied
          ? 'Your identity may not see this. Ask an Owner of the registry for access.'
          : `${error instanceof ApiError ? `${error.code}: ` : ''}${error.message}`}
      </Alert>
    );
  }
  return loading ? <Loader size="sm" aria-label="Loading" /> : null;
}
