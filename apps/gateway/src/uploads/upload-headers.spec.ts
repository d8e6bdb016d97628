import { blobLocation, uploadHeaders, uploadRange } from './upload-headers';

describe('upload headers', () => {
  it('states progress as an inclusive range, 0-0 before the first byte', () => {
    expect(uploadRange(0)).toBe('0-0');
    expect(uploadRange(1)).toBe('0-0');
    expect(uploadRange(100)).toBe('0-99');
  });

  it('points at the session and names it', () => {
    const uploadId = '3f1c2b7e-8d4a-4c1e-9a2b-1f0e2d3c4b5a';

    expect(uploadHeaders('team/app', { uploadId, offset: 10 })).toEqual({
      location: `/v2/team/app/blobs/uploads/${uploadId}`,
      range: '0-9',
      'docker-upload-uuid': uploadId,
    });
  });

  it('points at a blob by digest', () => {
    expect(blobLocation('a/b', 'sha256:00')).toBe('/v2/a/b/blobs/sha256:00');
  });
});
