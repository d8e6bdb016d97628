/**
 * A secret the registry answered once (a service principal's secret, a token's password):
 * shown until dismissed or the page is left, kept nowhere else; the registry never returns
 * it again.
 */
import { Alert, Button, Code, Stack, Text } from '@mantine/core';

export function ShownOnce({
  title,
  username,
  secret,
  onDismiss,
}: {
  title: string;
  username: string;
  secret: string;
  onDismiss: () => void;
}) {
  return (
    <Alert color="green" title={title} mb="md" data-testid="shown-once">
      <Stack gap="xs">
        <Text size="sm">
          Copy it now: the registry shows it only this once. Sign in as <code>{username}</code>{' '}
          with:
        </Text>
        <Code block data-testid="secret">
          {secret}
        </Code>
        <Button size="xs" variant="default" onClick={onDismiss} w="fit-content">
          I have copied it
        </Button>
      </Stack>
    </Alert>
  );
}
