/**
 * `/v2/`: tells a client that this is a registry speaking distribution API v2. Every
 * response carries `Docker-Distribution-API-Version` (set for all requests in
 * gateway-app.ts); authentication, once it lands, answers 401 here first.
 */
import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { methodNotAllowed } from '../http/method-not-allowed';
import { writeJson } from '../http/write-response';

@Injectable()
export class BaseRoutes {
  handle(request: FastifyRequest, reply: FastifyReply): void {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      throw methodNotAllowed(reply, request.method, ['GET', 'HEAD']);
    }
    writeJson(reply, 200, {});
  }
}
