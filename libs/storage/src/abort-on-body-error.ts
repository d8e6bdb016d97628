import type { Readable } from 'node:stream';

/**
 * Runs a request that streams `body`, aborting it the moment `body` fails. The SDK pipes a
 * body into the socket without watching it for errors, so a client that disconnects
 * midway would otherwise leave the request waiting for bytes until the server times out
 * (about a minute on RGW). Rejects with the body's own error when that was the cause.
 */
export async function abortOnBodyError<T>(
  body: Readable,
  send: (abortSignal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let bodyError: unknown;
  // Stays attached: a body that fails after the request settled must not crash the process.
  body.on('error', (error) => {
    bodyError ??= error;
    controller.abort(error);
  });
  try {
    return await send(controller.signal);
  } catch (error) {
    throw bodyError ?? error;
  }
}
