/**
 * The delivery log is read by anyone who may manage webhooks, and kept for days: a custom
 * header that carries a credential (a receiver's bearer token, API key, cookie) is logged
 * with its value replaced. The request sent keeps the value.
 */

export const redactedValue = '[redacted]';

const credentialHeaders = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key']);
const credentialHint = /token|secret|key|auth|password|passwd|cookie|session|credential/i;

/** Whether a header's value is a credential, by its name. */
export function carriesCredential(name: string): boolean {
  return credentialHeaders.has(name.toLowerCase()) || credentialHint.test(name);
}

/** `headers` as the log shows them: the credential-carrying custom headers redacted. */
export function redactCustomHeaders(
  headers: Record<string, string>,
  customHeaders: Record<string, string>,
): Record<string, string> {
  const logged = { ...headers };
  for (const name of Object.keys(customHeaders)) {
    if (name in logged && carriesCredential(name)) logged[name] = redactedValue;
  }
  return logged;
}
