/**
 * How an error thrown while serving a request reads on the wire: the distribution-spec
 * error body `{"errors":[{code,message,detail}]}` with the one status of its code.
 *
 * - RegistryError (ours, or rethrown from an RPC reply) and OciValidationError (the
 *   parsers of libs/oci) carry a code of the vocabulary.
 * - A path that is no API route gets 404 with the code NOT_FOUND. The spec's codes all
 *   describe an operation on a repository; there is no operation here to describe, and
 *   using one of them (NAME_UNKNOWN) would tell a client something false.
 * - A request the HTTP layer itself refused (Fastify's errors: a URL whose percent-encoding
 *   does not decode, a Content-Type that is no media type; Nest's 4xx exceptions) is the
 *   client's: 400 REQUEST_INVALID with Fastify's message, or MANIFEST_INVALID for the
 *   Content-Type of a manifest PUT, which is part of the manifest.
 * - Any other error is a fault of ours: 500 UNKNOWN, and the caller logs it.
 */
import {
  type ErrorBody,
  RegistryError,
  httpStatusByCode,
  isRegistryError,
} from '@meridian/contracts';
import { isOciValidationError } from '@meridian/oci';

export interface RenderedError {
  status: number;
  body: { errors: Array<Omit<ErrorBody, 'code'> & { code: string }> };
  /** expected outcomes (a miss, a bad request) are not the operator's concern */
  expected: boolean;
}

/** Thrown for a path under no route; carries nothing but what was asked. */
export class RouteNotFoundError extends Error {
  override readonly name = 'RouteNotFoundError';

  constructor(
    readonly method: string,
    readonly path: string,
  ) {
    super(`no route for ${method} ${path}`);
  }
}

/** What renderError may need to know of the request: only framework errors use it. */
export interface FailedRequest {
  method: string;
  url: string;
}

export function renderError(error: unknown, request?: FailedRequest): RenderedError {
  const refused = frameworkRefusal(error, request);
  if (refused !== undefined) error = refused;
  if (isRegistryError(error)) {
    return {
      status: error.httpStatus,
      body: { errors: [error.toBody()] },
      expected: error.httpStatus < 500,
    };
  }
  if (isOciValidationError(error)) {
    const body: ErrorBody = { code: error.code, message: error.message };
    if (error.detail !== undefined) body.detail = error.detail;
    return { status: httpStatusByCode[error.code], body: { errors: [body] }, expected: true };
  }
  if (error instanceof RouteNotFoundError || isFrameworkNotFound(error)) {
    const notFound = new RegistryError('NOT_FOUND', 'no such API route');
    return { status: notFound.httpStatus, body: { errors: [notFound.toBody()] }, expected: true };
  }
  return {
    status: 500,
    body: { errors: [{ code: 'UNKNOWN', message: 'internal error' }] },
    expected: false,
  };
}

/** Nest's NotFoundException for paths no controller claims (outside /v2). */
function isFrameworkNotFound(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { getStatus?: unknown }).getStatus === 'function' &&
    (error as { getStatus(): number }).getStatus() === 404
  );
}

/** Fastify's own errors (`FST_*` with a 4xx `statusCode`) and Nest's 4xx other than 404. */
function frameworkRefusal(error: unknown, request?: FailedRequest): RegistryError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, statusCode, message } = error as {
    code?: unknown;
    statusCode?: unknown;
    message?: unknown;
  };
  const text = typeof message === 'string' ? message : 'the request could not be read';
  if (typeof code === 'string' && code.startsWith('FST_') && isClientStatus(statusCode)) {
    if (
      code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' &&
      request?.method === 'PUT' &&
      /^\/v2\/.+\/manifests\/[^/?]+(\?|$)/.test(request.url)
    ) {
      return new RegistryError('MANIFEST_INVALID', 'the Content-Type is not a media type');
    }
    return new RegistryError('REQUEST_INVALID', text, { reason: code });
  }
  const status =
    typeof (error as { getStatus?: unknown }).getStatus === 'function'
      ? (error as { getStatus(): unknown }).getStatus()
      : undefined;
  if (isClientStatus(status) && status !== 404) return new RegistryError('REQUEST_INVALID', text);
  return undefined;
}

function isClientStatus(status: unknown): status is number {
  return typeof status === 'number' && status >= 400 && status < 500;
}
