/**
 * Custom header values are write-only, like the secret: they are often a receiver's
 * credential (`Authorization`, `X-Api-Key`), and whoever may manage webhooks need not be
 * able to read them. Views show every value as `webhookHeaderPlaceholder`; a PUT or PATCH
 * that sends the placeholder back (a client that read, edited and wrote the webhook) keeps
 * the value stored under that name.
 */
import { RegistryError, webhookHeaderPlaceholder } from '@meridian/contracts';

/** The headers' names, each with the placeholder for its value. */
export function redactHeaderValues(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(headers).map((name) => [name, webhookHeaderPlaceholder]));
}

/**
 * `given` with each placeholder replaced by the value `stored` has under that name (names
 * compare without case, as HTTP's do); REQUEST_INVALID for a placeholder with no value.
 */
export function keepRedactedValues(
  given: Record<string, string>,
  stored: Record<string, string>,
): Record<string, string> {
  const storedByName = new Map(
    Object.entries(stored).map(([name, value]) => [name.toLowerCase(), value]),
  );
  return Object.fromEntries(
    Object.entries(given).map(([name, value]) => {
      if (value !== webhookHeaderPlaceholder) return [name, value];
      const kept = storedByName.get(name.toLowerCase());
      if (kept === undefined)
        throw new RegistryError(
          'REQUEST_INVALID',
          `custom header ${name} has no stored value to keep: send its value`,
          { header: name },
        );
      return [name, kept];
    }),
  );
}
