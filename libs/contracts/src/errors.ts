/**
 * The registry's error vocabulary. Every code has exactly one HTTP status (as in
 * distribution's errcode registry); services throw RegistryError, the gateway renders
 * it as the OCI error body `{"errors":[{code,message,detail}]}`.
 */
export const httpStatusByCode = {
  BLOB_UNKNOWN: 404,
  BLOB_UPLOAD_UNKNOWN: 404,
  MANIFEST_UNKNOWN: 404,
  NAME_UNKNOWN: 404,
  /** a path that is no API route: there is no repository operation to name */
  NOT_FOUND: 404,
  /** a management API resource (service principal, scope map, token…) that does not exist */
  RESOURCE_UNKNOWN: 404,
  BLOB_UPLOAD_INVALID: 400,
  DIGEST_INVALID: 400,
  SIZE_INVALID: 400,
  NAME_INVALID: 400,
  TAG_INVALID: 400,
  MANIFEST_INVALID: 400,
  MANIFEST_BLOB_UNKNOWN: 400,
  PAGINATION_NUMBER_INVALID: 400,
  /**
   * a request whose body or parameters are invalid where no code of the spec applies: the
   * management API (`/api/v1`), a URL that does not decode, a query parameter with a NUL
   */
  REQUEST_INVALID: 400,
  MANIFEST_TOO_LARGE: 413,
  RANGE_INVALID: 416,
  UNAUTHORIZED: 401,
  DENIED: 403,
  UNSUPPORTED: 405,
  TOOMANYREQUESTS: 429,
  UNKNOWN: 500,
  UNAVAILABLE: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof httpStatusByCode;

export const errorCodes = Object.keys(httpStatusByCode) as ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(httpStatusByCode, value);
}

/** The wire form of an error: what an RPC reply carries and what the gateway renders. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  detail?: unknown;
}

export class RegistryError extends Error {
  override readonly name = 'RegistryError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly detail?: unknown,
  ) {
    super(message);
  }

  get httpStatus(): number {
    return httpStatusByCode[this.code];
  }

  toBody(): ErrorBody {
    return this.detail === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, detail: this.detail };
  }

  static fromBody(body: ErrorBody): RegistryError {
    return new RegistryError(
      isErrorCode(body.code) ? body.code : 'UNKNOWN',
      body.message,
      body.detail,
    );
  }
}

export function isRegistryError(err: unknown): err is RegistryError {
  return err instanceof RegistryError;
}

/**
 * Spread into the detail of a BLOB_UNKNOWN, MANIFEST_UNKNOWN or NAME_UNKNOWN that answers
 * for something this region deleted itself (it has a tombstone): a peer region may still hold
 * it, and the gateway must not serve it from there. A miss without it is content this region
 * has never seen (or not yet), which a peer may serve while this region catches up.
 */
export const deletedHereDetail = { deleted: true } as const;

/** Is `err` a miss of something this region deleted (see `deletedHereDetail`)? */
export function isDeletedHere(err: unknown): boolean {
  return (
    isRegistryError(err) &&
    typeof err.detail === 'object' &&
    err.detail !== null &&
    (err.detail as { deleted?: unknown }).deleted === true
  );
}

/** Makes a switch over a union exhaustive at compile time. */
export function assertUnreachable(value: never): never {
  throw new Error(`unreachable: ${JSON.stringify(value)}`);
}
