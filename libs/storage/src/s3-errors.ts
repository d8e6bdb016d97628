/**
 * How S3 servers say "not there". AWS and Ceph RGW disagree in places (RGW answers an
 * unknown multipart upload with NoSuchKey where AWS says NoSuchUpload), so the checks
 * accept both spellings; every other error is left to the caller.
 */
interface S3ServiceError {
  name?: string;
  $metadata?: { httpStatusCode?: number };
}

function nameOf(error: unknown): string | undefined {
  return (error as S3ServiceError | undefined)?.name;
}

/** A missing object, from GET (NoSuchKey) or HEAD (a bare 404 the SDK names NotFound). */
export function isMissingObject(error: unknown): boolean {
  const name = nameOf(error);
  return name === 'NoSuchKey' || name === 'NotFound';
}

export function isMissingBucket(error: unknown): boolean {
  const name = nameOf(error);
  return name === 'NoSuchBucket' || name === 'NotFound';
}

/** The multipart upload is gone (completed or aborted); RGW says NoSuchKey. */
export function isMissingMultipartUpload(error: unknown): boolean {
  const name = nameOf(error);
  return name === 'NoSuchUpload' || name === 'NoSuchKey';
}

export function isAccessDenied(error: unknown): boolean {
  const name = nameOf(error);
  return (
    name === 'AccessDenied' ||
    (error as S3ServiceError | undefined)?.$metadata?.httpStatusCode === 403
  );
}

export function isBucketAlreadyOurs(error: unknown): boolean {
  return nameOf(error) === 'BucketAlreadyOwnedByYou';
}
