/** What the registry said when it refused or failed a change a button asked for. */
import { Alert } from '@mantine/core';
import { ApiError } from '../api/registry-session';

export function ActionFailure({ error }: { error: Error | undefined }) {
  if (error === undefined) return null;
  return (
    <Alert color="red" title="Not done" role="alert" mb="md" data-testid="action-failure">
      {error instanceof ApiError ? `${error.code}: ` : ''}
      {error.message}
    </Alert>
  );
}
