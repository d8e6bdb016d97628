/**
 * The delivery log is read by anyone who may manage webhooks, and kept for days: custom
 * header values are logged as the management API shows them, redacted (they often carry a
 * receiver's credential: see webhooks/custom-headers.ts). The request sent keeps the values.
 */
import { webhookHeaderPlaceholder } from '@meridian/contracts';

export const redactedValue = webhookHeaderPlaceholder;

/** `headers` as the log shows them: every custom header's value redacted. */
export function redactCustomHeaders(
  headers: Record<string, string>,
  customHeaders: Record<string, string>,
): Record<string, string> {
  const logged = { ...headers };
  for (const name of Object.keys(customHeaders)) {
    if (name in logged) logged[name] = redactedValue;
  }
  return logged;
}
