/**
 * The error every parser in this library throws. libs/oci cannot import RegistryError
 * (contracts imports oci), so it carries the same code strings and services rethrow it
 * as `new RegistryError(err.code, err.message, err.detail)`.
 */
export const ociErrorCodes = [
  'DIGEST_INVALID',
  'MANIFEST_INVALID',
  'NAME_INVALID',
  'TAG_INVALID',
  'RANGE_INVALID',
  'SIZE_INVALID',
  'PAGINATION_NUMBER_INVALID',
  'UNSUPPORTED',
] as const;

export type OciErrorCode = (typeof ociErrorCodes)[number];

export class OciValidationError extends Error {
  override readonly name = 'OciValidationError';

  constructor(
    readonly code: OciErrorCode,
    message: string,
    readonly detail?: unknown,
  ) {
    super(message);
  }
}

export function isOciValidationError(err: unknown): err is OciValidationError {
  return err instanceof OciValidationError;
}
