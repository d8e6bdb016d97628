/**
 * The one place an error becomes a response. Expected outcomes (4xx) are logged at debug
 * only; a 5xx is logged once, here, with the request it failed. An error after the
 * response has started (a client gone mid-download, a store failing mid-stream) can no
 * longer be answered: the connection is cut so the client sees a short body, not a
 * complete-looking one.
 */
import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import { InjectLogger, type Logger } from '@meridian/telemetry';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { renderError } from './render-error';
import { hasRequestBody } from './request-body';

@Catch()
export class RegistryExceptionFilter implements ExceptionFilter {
  constructor(@InjectLogger() private readonly logger: Logger) {}

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
    const rendered = renderError(error);
    if (rendered.expected) {
      this.logger.debug(
        { ...where, status: rendered.status, code: rendered.body.errors[0]?.code },
        'request refused',
      );
    } else {
      this.logger.error({ ...where, err: error }, 'request failed');
    }
    // A body the handler never read would otherwise be read to its end to keep the
    // connection: for a refused gigabyte upload, closing is cheaper.
    if (hasRequestBody(request.raw) && !request.raw.complete) reply.header('connection', 'close');
    void reply
      .code(rendered.status)
      .header('content-type', 'application/json; charset=utf-8')
      .send(JSON.stringify(rendered.body));
  }
}
