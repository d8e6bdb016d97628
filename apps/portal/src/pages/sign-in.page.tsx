/**
 * Sign-in with the registry's own credentials: the admin account, a service principal (its
 * id and secret) or a repository-scoped token (its name and a password). They go once to the
 * token endpoint and are not kept (api/registry-session.ts).
 */
import { Alert, Button, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { ApiError, RegistrySession } from '../api/registry-session';

export function SignInPage({ onSignedIn }: { onSignedIn: (session: RegistrySession) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    RegistrySession.signIn(username, password)
      .then((session) => {
        setPassword('');
        onSignedIn(session);
      })
      .catch((failure: unknown) => {
        setError(
          failure instanceof ApiError && failure.status === 401
            ? 'The registry did not accept these credentials.'
            : failure instanceof ApiError && failure.status === 429
              ? 'Too many failed sign-ins: wait a moment and try again.'
              : `Sign-in failed: ${failure instanceof Error ? failure.message : String(failure)}`,
        );
      })
      .finally(() => setBusy(false));
  };

  return (
    <main className="portal-sign-in">
      <Paper withBorder shadow="sm" p="lg" radius="md">
        <form onSubmit={submit} aria-labelledby="sign-in-title">
          <Stack>
            <Title order={1} size="h2" id="sign-in-title">
              Sign in to Meridian
            </Title>
            <Text size="sm" c="dimmed">
              Use your registry credentials: the admin account, a service principal&apos;s id and
              secret, or a token&apos;s name and password.
            </Text>
            <TextInput
              label="Username"
              name="username"
              autoComplete="username"
              required
              value={username}
              onChange={(event) => setUsername(event.currentTarget.value)}
            />
            <PasswordInput
              label="Password"
              name="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(event) => setPassword(event.currentTarget.value)}
            />
            {error !== undefined && (
              <Alert color="red" role="alert">
                {error}
              </Alert>
            )}
            <Button type="submit" loading={busy}>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </main>
  );
}
