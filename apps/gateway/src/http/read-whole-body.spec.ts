import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { RegistryError } from '@meridian/contracts';
import { readWholeBody } from './read-whole-body';

const tooLarge = () => new RegistryError('MANIFEST_TOO_LARGE', 'too large');
const readManifestBody = (request: IncomingMessage, maxBytes: number) =>
  readWholeBody(request, maxBytes, tooLarge);

function request(
  headers: Record<string, string> = {},
): PassThrough & { headers: Record<string, string>; complete: boolean } {
  const body = Object.assign(new PassThrough(), { headers, complete: false });
  body.on('end', () => (body.complete = true));
  return body;
}

describe(readWholeBody.name, () => {
  it('reads a body within the cap', async () => {
    const body = request({ 'content-length': '5' });

    const reading = readManifestBody(body as unknown as IncomingMessage, 10);
    body.end('hello');

    expect((await reading).toString()).toBe('hello');
  });

  it('refuses a declared length over the cap before reading', async () => {
    const body = request({ 'content-length': '11' });
    const reading = readManifestBody(body as unknown as IncomingMessage, 10);

    await expect(reading).rejects.toMatchObject({ code: 'MANIFEST_TOO_LARGE' });
    expect(body.readableFlowing).toBeNull();
  });

  it('stops reading a chunked body once it passes the cap', async () => {
    const body = request();
    const reading = readManifestBody(body as unknown as IncomingMessage, 10);
    body.write(Buffer.alloc(8));
    body.write(Buffer.alloc(8));

    await expect(reading).rejects.toMatchObject({ code: 'MANIFEST_TOO_LARGE' });
    expect(body.isPaused()).toBe(true);
  });

  it('fails when the client goes away midway', async () => {
    const body = request();
    const reading = readManifestBody(body as unknown as IncomingMessage, 10);
    body.write('abc');
    body.destroy();

    await expect(reading).rejects.toThrow(/closed the connection/);
  });

  it.each([
    ['before reading began', true],
    ['while reading', false],
  ])('fails a body that arrived whole but was dropped unread %s', async (_when, droppedFirst) => {
    const body = request({ 'content-length': '5' });
    body.complete = true;
    if (droppedFirst) body.destroy();

    const reading = readManifestBody(body as unknown as IncomingMessage, 10);
    if (!droppedFirst) body.destroy();

    await expect(reading).rejects.toThrow(/closed the connection/);
  });
});
