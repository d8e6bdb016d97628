/**
 * A coloured word for a state (ready, pending, failed, dead, …), readable without colour.
 * The darkest shades keep white text at a contrast of 4.5:1 or more (WCAG AA); the light
 * ones (yellow) get dark text from Mantine's autoContrast.
 */
import { Badge } from '@mantine/core';

const colours: Record<string, string> = {
  ready: 'green.9',
  succeeded: 'green.9',
  passed: 'green.9',
  connected: 'green.9',
  available: 'green.9',
  enabled: 'green.9',
  pending: 'yellow.4',
  provisioning: 'yellow.4',
  degraded: 'orange.9',
  quarantined: 'orange.9',
  failed: 'red.9',
  dead: 'red.9',
  disconnected: 'red.9',
  unavailable: 'red.9',
  disabled: 'gray.7',
  critical: 'red.9',
  high: 'orange.9',
  medium: 'yellow.4',
  low: 'blue.9',
};

export function StateBadge({ state }: { state: string }) {
  return (
    <Badge color={colours[state.toLowerCase()] ?? 'gray.7'} variant="filled" autoContrast>
      {state}
    </Badge>
  );
}
