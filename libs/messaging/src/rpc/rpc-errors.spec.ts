import { RegistryError } from '@meridian/contracts';
import { createLogger } from '@meridian/telemetry';
import { z } from 'zod';
import { isErrorBody, toErrorBody } from './rpc-errors';

const logger = createLogger({ service: 'test', region: 'us-east', level: 'silent' });

describe(toErrorBody.name, () => {
  it('carries a RegistryError as it is, detail included', () => {
    const body = toErrorBody(
      'manifest.get',
      new RegistryError('MANIFEST_UNKNOWN', 'manifest unknown', { deleted: true }),
      logger,
    );
    expect(body).toEqual({
      code: 'MANIFEST_UNKNOWN',
      message: 'manifest unknown',
      detail: { deleted: true },
    });
    expect(RegistryError.fromBody(body)).toMatchObject({
      code: 'MANIFEST_UNKNOWN',
      detail: { deleted: true },
    });
  });

  it('names the rpc whose message broke its contract, and nothing of the message', () => {
    const invalid = z.object({ digest: z.string() }).safeParse({ digest: 1 }).error;
    expect(toErrorBody('manifest.get', invalid, logger)).toEqual({
      code: 'UNKNOWN',
      message: 'invalid manifest.get message',
    });
  });

  it('hides any other failure behind UNKNOWN', () => {
    expect(toErrorBody('manifest.get', new Error('password=hunter2'), logger)).toEqual({
      code: 'UNKNOWN',
      message: 'internal error',
    });
  });
});

describe(isErrorBody.name, () => {
  it('tells an error reply from Nest transport errors', () => {
    expect(isErrorBody({ code: 'NAME_UNKNOWN', message: 'x' })).toBe(true);
    expect(isErrorBody('There is no matching message handler defined in the remote service.')).toBe(
      false,
    );
    expect(isErrorBody({ code: 'NOT_A_CODE', message: 'x' })).toBe(false);
  });
});
