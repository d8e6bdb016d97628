/** A button for what cannot be undone (a delete): the first press asks, the second does it. */
import { Button, Group } from '@mantine/core';
import { useState } from 'react';

export function ConfirmButton({
  label,
  children,
  loading,
  onConfirm,
}: {
  label: string;
  children: string;
  loading: boolean;
  onConfirm: () => void;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <Button
        size="xs"
        variant="light"
        color="red"
        aria-label={label}
        onClick={() => setAsking(true)}
      >
        {children}
      </Button>
    );
  }
  return (
    <Group gap={4} wrap="nowrap">
      <Button
        size="xs"
        color="red.9"
        loading={loading}
        aria-label={`Confirm: ${label}`}
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        Confirm
      </Button>
      <Button size="xs" variant="default" onClick={() => setAsking(false)}>
        Cancel
      </Button>
    </Group>
  );
}
