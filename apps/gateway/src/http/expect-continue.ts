/**
 * `Expect: 100-continue` is answered when the handler starts to read the body, not when
 * the request arrives (node's default): a request refused before its body is read (a
 * manifest declared over the cap, a push without a token) gets its final answer and the
 * client never sends the body it was about to send. Every body reader of the gateway
 * (stream pipes, `data` listeners, async iteration) begins with a `data` or `readable`
 * listener, which is what sends the 100. A final answer sent while the client still waits
 * closes the connection (node does so itself): the body it held back never arrives.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

const awaitingContinue = new WeakSet<IncomingMessage>();

export function continueOnFirstRead(server: Server): void {
  server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => {
    awaitingContinue.add(request);
    const onListener = (event: string | symbol): void => {
      if (event !== 'data' && event !== 'readable') return;
      request.off('newListener', onListener);
      awaitingContinue.delete(request);
      if (!response.headersSent) response.writeContinue();
    };
    request.on('newListener', onListener);
    server.emit('request', request, response);
  });
}

/** Whether the client still waits for a 100 Continue before it sends the body. */
export function isAwaitingContinue(request: IncomingMessage): boolean {
  return awaitingContinue.has(request);
}
