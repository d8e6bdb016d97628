/**
 * The one place an error becomes a response. Expected outcomes (4xx) are logged at debug
 * only; a 5xx is logged once, here, with the request it failed. An error after the
 * response has started (a client gone mid-download, a store failing mid-stream) can no
 * longer be answered: the connection is cut so the client sees a short body, not a
 * complete-looking one.
 *
 * A 401 always says how to authenticate (`WWW-Authenticate`: the error's own challenge, or
 * the gateway's generic one for the path; a script's request gets Bearer for Basic, see
 * auth/script-challenge.ts), and a 429 or 503 when to come back (`Retry-After`,
 * from the `retryAfterSeconds` in the error's detail: the auth service's failed-login bound,
 * the catch-up of a region that cannot reach its replication service).
 */
import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import { isRegistryError } from '@meridian/contracts';
import { InjectLogger, type Logger } from '@meridian/telemetry';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthChallenges } from './auth/auth-challenges';
import { challengeFor } from './auth/script-challenge';
import { UnauthorizedError } from './auth/unauthorized.error';
import { renderError } from './http/render-error';
import { isAwaitingContinue } from './http/expect-continue';
import { lingerOnClose } from './http/linger-on-close';
import { hasRequestBody } from './http/request-body';

/** How long a refused client may go on sending before its connection is cut. */
const lingerMs = 2_000;

@Catch()
export class RegistryExceptionFilter implements ExceptionFilter {
  constructor(
    @InjectLogger() private readonly logger: Logger,
    private readonly challenges: AuthChallenges,
  ) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const where = { requestId: request.id, method: request.method, url: request.url };

    if (reply.sent || reply.raw.headersSent) {
      this.logger.debug({ ...where, err: error }, 'response aborted');
      reply.raw.destroy();
      return;
    }
    const rendered = renderError(error, request);
    if (rendered.expected) {
      this.logger.debug(
        { ...where, status: rendered.status, code: rendered.body.errors[0]?.code },
        'request refused',
      );
    } else {
      this.logger.error({ ...where, err: error }, 'request failed');
    }
    // A body the handler never read would otherwise be read to its end to keep the
    // connection: for a refused gigabyte upload, closing is cheaper. A client still
    // sending gets a moment to read the answer first (linger-on-close.ts); one still
    // waiting for 100 Continue sends nothing more.
    if (hasRequestBody(request.raw) && !request.raw.complete) {
      reply.header('connection', 'close');
      if (!isAwaitingContinue(request.raw)) {
        request.raw.resume();
        lingerOnClose(request.raw.socket, lingerMs);
      }
    }
    if (rendered.status === 401) {
      const challenge =
        error instanceof UnauthorizedError ? error.challenge : this.challenges.forPath(request);
      reply.header(
        'www-authenticate',
        challengeFor(request.headers, challenge, () => this.challenges.bearer(request, [])),
      );
    }
    const retryAfter = retryAfterSeconds(error);
    if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
    void reply
      .code(rendered.status)
      .header('content-type', 'application/json; charset=utf-8')
      .send(JSON.stringify(rendered.body));
  }
}

function retryAfterSeconds(error: unknown): number | undefined {
  if (!isRegistryError(error) || !['TOOMANYREQUESTS', 'UNAVAILABLE'].includes(error.code))
    return undefined;
  const seconds = (error.detail as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
  return typeof seconds === 'number' && seconds >= 0 ? Math.ceil(seconds) : undefined;
}
