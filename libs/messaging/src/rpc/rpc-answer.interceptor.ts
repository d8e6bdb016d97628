/**
 * Around every `@MessagePattern` handler: the SERVER span `<service>.<verb> answer`, a child
 * of the caller's span (its `traceparent` is in the request headers), so the caller's trace
 * continues in the service; the request validated against its contract before the handler
 * sees it (what the handler's `@Payload()` receives is the parsed request, defaults filled
 * in), and the reply validated before it leaves.
 */
import {
  type RpcDefinition,
  isRegistryError,
  rpcDefinitionOf,
  rpcPatternOfSubject,
} from '@meridian/contracts';
import { SpanKind, extractTraceContext, inSpan } from '@meridian/telemetry';
import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import type { NatsContext } from '@nestjs/microservices';
import { type Observable, from, lastValueFrom } from 'rxjs';

@Injectable()
export class RpcAnswerInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const nats = context.switchToRpc().getContext<NatsContext>();
    const subject = nats.getSubject();
    const def = rpcDefinitionOf(rpcPatternOfSubject(subject) ?? '') as RpcDefinition;
    return from(
      (async () => {
        const outcome = await inSpan(
          `${def.service}.${def.verb} answer`,
          {
            kind: SpanKind.SERVER,
            attributes: { 'messaging.system': 'nats', 'messaging.destination.name': subject },
            parent: extractTraceContext(nats.getHeaders()),
          },
          async (span) => {
            try {
              // the handler's arguments are read once it is called: it gets the parsed request
              context.getArgs()[0] = def.request.parse(context.switchToRpc().getData());
              return { value: def.response.parse(await lastValueFrom(next.handle())) };
            } catch (error) {
              // a refused request is an answer, not a failure of the span
              span.setAttribute(
                'meridian.error.code',
                isRegistryError(error) ? error.code : 'UNKNOWN',
              );
              return { error };
            }
          },
        );
        if ('error' in outcome) throw outcome.error;
        return outcome.value;
      })(),
    );
  }
}
