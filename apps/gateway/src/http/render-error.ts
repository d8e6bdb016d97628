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

/**
 * Fastify's own errors (`FST_*`, a 4xx `statusCode`) as they reach the filter: Nest wraps
 * them in an HttpException whose `cause` is the original; other 4xx HttpExceptions (404
 * aside: a missing route) are refusals of the request too.
 */
function frameworkRefusal(error: unknown, request?: FailedRequest): RegistryError | undefined {
  if (typeof error !== 'object' || error === null || isRegistryError(error)) return undefined;
  const status = statusOf(error);
  if (status === undefined || status < 400 || status >= 500 || status === 404) return undefined;
  const code = fastifyCode(error) ?? fastifyCode((error as { cause?: unknown }).cause);
  if (
    (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || status === 415) &&
    request?.method === 'PUT' &&
    /^\/v2\/.+\/manifests\/[^/?]+(\?|$)/.test(request.url)
  ) {
    return new RegistryError('MANIFEST_INVALID', 'the Content-Type is not a media type');
  }
  const message = (error as { message?: unknown }).message;
  return new RegistryError(
    'REQUEST_INVALID',
    typeof message === 'string' ? message : 'the request could not be read',
    code === undefined ? undefined : { reason: code },
  );
}

function statusOf(error: object): number | undefined {
  const { statusCode, getStatus } = error as { statusCode?: unknown; getStatus?: unknown };
  const status =
    typeof getStatus === 'function' ? (getStatus as () => unknown).call(error) : statusCode;
  return typeof status === 'number' ? status : undefined;
}

function fastifyCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' && code.startsWith('FST_') ? code : undefined;
}
