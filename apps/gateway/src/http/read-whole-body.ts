/**
 * Reads a request's whole body into memory (a manifest, a small blob's PUT), refusing past
 * `maxBytes` with `tooLarge()` without reading further: a declared Content-Length over the
 * cap is refused before any byte is read, a chunked body as soon as it crosses the cap.
 * What is left unread is dropped with the connection (the exception filter closes it),
 * never buffered.
 */
import type { IncomingMessage } from 'node:http';
import type { RegistryError } from '@meridian/contracts';
import { declaredContentLength } from './request-body';

export function readWholeBody(
  request: IncomingMessage,
  maxBytes: number,
  tooLarge: () => RegistryError,
): Promise<Buffer> {
  const declared = declaredContentLength(request);
  if (declared !== undefined && declared > maxBytes) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (): void => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.byteLength;
      if (size > maxBytes) {
        stop();
        request.pause();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      stop();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error): void => {
      stop();
      reject(error);
    };
    // `complete` only says the body arrived: node drops it unread when the connection ends
    // first, and no `end` follows. Only `end` says every byte was read.
    const onClose = (): void => {
      if (request.readableEnded) return;
      stop();
      reject(new Error('client closed the connection before sending the whole body'));
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
    request.on('close', onClose);
    // the connection may have ended before the handler began to read
    if (request.destroyed) onClose();
  });
}
