import {
  RegistryError,
  deletedHereDetail,
  errorCodes,
  httpStatusByCode,
  isDeletedHere,
} from './errors';
import { eventStreamName, rpcSubject } from './subjects';

describe(RegistryError.name, () => {
  it('gives every code one status, client errors below 500 except the two server ones', () => {
    for (const code of errorCodes) {
      const status = httpStatusByCode[code];
      expect(status >= 500).toBe(code === 'UNKNOWN' || code === 'UNAVAILABLE');
    }
  });

  it('survives the trip through an RPC reply', () => {
    const sut = new RegistryError('MANIFEST_BLOB_UNKNOWN', 'blob unknown', {
      missing: ['sha256:x'],
    });
    const back = RegistryError.fromBody(JSON.parse(JSON.stringify(sut.toBody())));
    expect(back).toMatchObject({
      code: 'MANIFEST_BLOB_UNKNOWN',
      message: 'blob unknown',
      detail: { missing: ['sha256:x'] },
    });
    expect(back.httpStatus).toBe(400);
  });

  it('tells a miss of something deleted here from any other miss, across an RPC reply', () => {
    const deleted = new RegistryError('BLOB_UNKNOWN', 'blob unknown to registry', {
      digest: 'sha256:x',
      ...deletedHereDetail,
    });
    expect(
      isDeletedHere(RegistryError.fromBody(JSON.parse(JSON.stringify(deleted.toBody())))),
    ).toBe(true);
    expect(isDeletedHere(new RegistryError('BLOB_UNKNOWN', 'x', { digest: 'sha256:x' }))).toBe(
      false,
    );
    expect(isDeletedHere(new RegistryError('BLOB_UNKNOWN', 'x'))).toBe(false);
    expect(isDeletedHere(new Error('x'))).toBe(false);
  });

  it('turns a code it does not know into UNKNOWN', () => {
    expect(RegistryError.fromBody({ code: 'NOPE' as never, message: 'x' }).code).toBe('UNKNOWN');
  });
});

describe('subjects', () => {
  it('builds RPC subjects and stream names from the region', () => {
    expect(rpcSubject('us-east', 'blob', 'upload-start')).toBe(
      'meridian.us-east.rpc.blob.upload-start.v1',
    );
    expect(eventStreamName('eu-west')).toBe('MERIDIAN_EU_WEST_EVENTS');
  });
});
