/** The notice on an Owner's page for anyone else (the navigation does not offer it to them). */
import { Alert } from '@mantine/core';
import type { ReactNode } from 'react';
import { useSession } from '../api/use-session';

export function OwnersOnly({ what, children }: { what: string; children: ReactNode }) {
  const session = useSession();
  if (session.mayManageIdentities) return <>{children}</>;
  return (
    <Alert color="yellow" title="Not allowed" role="alert">
      {what} are managed by the registry's Owners; your identity may not see them.
    </Alert>
  );
}
