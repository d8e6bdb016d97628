import { HttpException, NotFoundException } from '@nestjs/common';
import { RegistryError } from '@meridian/contracts';
import { OciValidationError } from '@meridian/oci';
import { RouteNotFoundError, renderError } from './render-error';

describe(renderError.name, () => {
  it('renders a RegistryError with the status of its code', () => {
    const sut = renderError(new RegistryError('MANIFEST_TOO_LARGE', 'too large', { limit: 1 }));

    expect(sut).toEqual({
      status: 413,
      body: {
        errors: [{ code: 'MANIFEST_TOO_LARGE', message: 'too large', detail: { limit: 1 } }],
      },
      expected: true,
    });
  });

  it('renders an OciValidationError from the parsers the same way', () => {
    const sut = renderError(new OciValidationError('RANGE_INVALID', 'bad range', { range: 'x' }));

    expect(sut.status).toBe(416);
    expect(sut.body.errors).toEqual([
      { code: 'RANGE_INVALID', message: 'bad range', detail: { range: 'x' } },
    ]);
    expect(sut.expected).toBe(true);
  });

  it('marks a service that did not answer as unexpected', () => {
    const sut = renderError(new RegistryError('UNAVAILABLE', 'no answer'));

    expect(sut.status).toBe(503);
    expect(sut.expected).toBe(false);
  });

  it.each([new RouteNotFoundError('GET', '/v3/'), new NotFoundException()])(
    'renders a path with no route as 404',
    (error) => {
      const sut = renderError(error);

      expect(sut.status).toBe(404);
      expect(sut.body.errors[0]?.code).toBe('NOT_FOUND');
    },
  );

  it('renders anything else as 500 UNKNOWN without its message', () => {
    const sut = renderError(new Error('database password is hunter2'));

    expect(sut).toEqual({
      status: 500,
      body: { errors: [{ code: 'UNKNOWN', message: 'internal error' }] },
      expected: false,
    });
  });

  describe('refusals of the HTTP layer', () => {
    const fastifyError = (code: string, statusCode: number) =>
      Object.assign(new Error(`${code} message`), { code, statusCode });

    it('renders a Fastify 4xx as 400 REQUEST_INVALID with its reason', () => {
      const sut = renderError(fastifyError('FST_ERR_BAD_URL', 400));

      expect(sut.status).toBe(400);
      expect(sut.body.errors[0]).toMatchObject({
        code: 'REQUEST_INVALID',
        detail: { reason: 'FST_ERR_BAD_URL' },
      });
      expect(sut.expected).toBe(true);
    });

    it('renders a Content-Type that is no media type on a manifest PUT as MANIFEST_INVALID', () => {
      const wrapped = new HttpException('Unsupported Media Type', 415, {
        cause: fastifyError('FST_ERR_CTP_INVALID_MEDIA_TYPE', 415),
      });

      expect(
        renderError(wrapped, { method: 'PUT', url: '/v2/a/b/manifests/latest' }).body.errors[0]
          ?.code,
      ).toBe('MANIFEST_INVALID');
      expect(renderError(wrapped, { method: 'PATCH', url: '/v2/a/blobs/uploads/x' }).status).toBe(
        400,
      );
    });

    it('keeps a Fastify 5xx a fault of ours', () => {
      expect(renderError(fastifyError('FST_ERR_HANDLER_TIMEOUT', 503)).status).toBe(500);
    });
  });
});
