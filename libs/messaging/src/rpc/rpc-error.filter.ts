/**
 * What a handler throws becomes the reply's `err` (an ErrorBody, see rpc-errors.ts), which
 * the caller's RpcClient raises again as a RegistryError.
 */
import { rpcPatternOfSubject } from '@meridian/contracts';
import { type ArgumentsHost, Catch, type RpcExceptionFilter } from '@nestjs/common';
import type { NatsContext } from '@nestjs/microservices';
import type { Logger } from 'pino';
import { type Observable, throwError } from 'rxjs';
import { toErrorBody } from './rpc-errors';

@Catch()
export class RpcErrorFilter implements RpcExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): Observable<never> {
    const subject = host.switchToRpc().getContext<NatsContext>().getSubject();
    const rpc = rpcName(rpcPatternOfSubject(subject) ?? subject);
    return throwError(() => toErrorBody(rpc, exception, this.logger));
  }
}

/** `manifest.get.v1` → `manifest.get`, as logs and spans name an RPC */
function rpcName(pattern: string): string {
  return pattern.replace(/\.v\d+$/, '');
}
