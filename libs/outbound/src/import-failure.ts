/**
 * Why an import stopped, in the vocabulary the job shows (`ImportFailureReason`), and
 * whether trying again later may help: an upstream that is down, slow or rate-limiting may
 * recover; a 404, refused credentials or a digest that does not match will not.
 */
import type { ImportFailureReason } from '@meridian/contracts';

export class ImportFailure extends Error {
  override readonly name = 'ImportFailure';
  constructor(
    readonly reason: ImportFailureReason,
    message: string,
    readonly retryable = false,
  ) {
    super(message);
  }
}

/** The failure an upstream's HTTP status means, for the request described by `what`. */
export function failureForStatus(status: number, what: string): ImportFailure {
  if (status === 401 || status === 403)
    return new ImportFailure(
      'UPSTREAM_UNAUTHORIZED',
      `the upstream refused the credentials for ${what} (HTTP ${status})`,
    );
  if (status === 404) return new ImportFailure('UPSTREAM_NOT_FOUND', `${what} not found upstream`);
  if (status === 429)
    return new ImportFailure(
      'UPSTREAM_RATE_LIMITED',
      `the upstream rate-limited ${what} (HTTP 429)`,
      true,
    );
  if (status >= 500)
    return new ImportFailure(
      'UPSTREAM_UNAVAILABLE',
      `the upstream failed ${what} (HTTP ${status})`,
      true,
    );
  return new ImportFailure('UPSTREAM_INVALID', `the upstream answered ${what} with HTTP ${status}`);
}

/** A connection error as the failure the job shows. */
export function asFailure(error: unknown, url?: URL): ImportFailure {
  if (error instanceof ImportFailure) return error;
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const where = url ? `${url.host}: ` : '';
  const message = `${where}${(error as Error).message}`;
  if (
    code.startsWith('ERR_TLS') ||
    code.startsWith('ERR_SSL') ||
    code === 'EPROTO' ||
    /certificate|self.signed/i.test(message)
  )
    return new ImportFailure('UPSTREAM_UNAVAILABLE', `TLS: ${message}`);
  return new ImportFailure('UPSTREAM_UNAVAILABLE', message, true);
}
