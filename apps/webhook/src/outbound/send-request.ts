/**
 * One HTTP POST to a webhook's receiver. It connects only to the address the policy checked
 * (pinned lookup), never follows a redirect (a 3xx is an answer like any other non-2xx), is
 * bounded by a timeout over the whole exchange, and keeps the first KiB of the response body
 * for the log.
 */
import http from 'node:http';
import https from 'node:https';
import { type CheckedTarget, pinnedLookup } from '@meridian/outbound';

export interface OutboundRequest {
  target: CheckedTarget;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

export interface ReceiverAnswer {
  status: number;
  headers: Record<string, string>;
  /** the first KiB, as text */
  body: string;
}

const keptBodyBytes = 1024;

export function sendRequest(request: OutboundRequest): Promise<ReceiverAnswer> {
  const { target, headers, body, timeoutMs } = request;
  const client = target.url.protocol === 'https:' ? https : http;
  return new Promise<ReceiverAnswer>((resolve, reject) => {
    const outgoing = client.request(
      target.url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup: pinnedLookup(target),
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        response.on('data', (chunk: Buffer) => {
          if (kept >= keptBodyBytes) return;
          chunks.push(chunk.subarray(0, keptBodyBytes - kept));
          kept += Math.min(chunk.byteLength, keptBodyBytes - kept);
        });
        response.on('end', () => {
          clearTimeout(timer);
          resolve({
            status: response.statusCode ?? 0,
            headers: flattenHeaders(response.headers),
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
        response.on('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
      },
    );
    const timer = setTimeout(
      () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    outgoing.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    outgoing.end(body);
  });
}

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).flatMap(([name, value]) =>
      value === undefined ? [] : [[name, Array.isArray(value) ? value.join(', ') : value]],
    ),
  );
}
