/** A coloured word for a state (ready, pending, failed, dead, …), readable without colour. */
import { Badge } from '@mantine/core';

const colours: Record<string, string> = {
  ready: 'green',
  succeeded: 'green',
  passed: 'green',
  connected: 'green',
  enabled: 'green',
  pending: 'yellow',
  quarantined: 'orange',
  failed: 'red',
  dead: 'red',
  disconnected: 'red',
  disabled: 'gray',
  critical: 'red',
  high: 'orange',
  medium: 'yellow',
  low: 'blue',
};

export function StateBadge({ state }: { state: string }) {
  return (
    <Badge color={colours[state.toLowerCase()] ?? 'gray'} variant="filled" autoContrast>
      {state}
    </Badge>
  );
}
