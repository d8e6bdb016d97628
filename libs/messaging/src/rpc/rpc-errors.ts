/**
 * How a failure crosses an RPC: a RegistryError travels as its ErrorBody and is raised again
 * on the caller's side; a message that breaks its contract, or any other failure, becomes
 * UNKNOWN (the caller learns nothing of the service's insides) and is logged where it
 * happened. On the caller's side, a service that does not answer is UNAVAILABLE.
 */
import { type ErrorBody, RegistryError, isErrorCode, isRegistryError } from '@meridian/contracts';
import { NoRespondersError, RequestError, TimeoutError } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { ZodError } from 'zod';

/** The reply's error for what a handler (or the validation around it) threw. */
export function toErrorBody(rpc: string, err: unknown, logger: Logger): ErrorBody {
  if (isRegistryError(err)) return err.toBody();
  if (err instanceof ZodError) {
    logger.error({ rpc, issues: err.issues }, 'rpc message failed validation');
    return new RegistryError('UNKNOWN', `invalid ${rpc} message`).toBody();
  }
  logger.error({ rpc, err }, 'rpc handler failed');
  return new RegistryError('UNKNOWN', 'internal error').toBody();
}

export function isErrorBody(value: unknown): value is ErrorBody {
  return (
    typeof value === 'object' &&
    value !== null &&
    isErrorCode((value as ErrorBody).code) &&
    typeof (value as ErrorBody).message === 'string'
  );
}

/** A request that got no answer; anything else is thrown as it is. */
export function toUnavailable(service: string, err: unknown): RegistryError {
  if (
    err instanceof TimeoutError ||
    err instanceof NoRespondersError ||
    err instanceof RequestError ||
    (err instanceof Error && /timeout|no responders|closed|disconnect/i.test(err.message))
  ) {
    return new RegistryError('UNAVAILABLE', `the ${service} service did not answer`);
  }
  throw err;
}

export function isNoResponders(err: unknown): boolean {
  return err instanceof NoRespondersError || (err instanceof RequestError && err.isNoResponders());
}
