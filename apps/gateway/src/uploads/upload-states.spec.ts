import { UploadStates } from './upload-states';

const key = 'the upload state key of us-east';
const openedAt = Date.parse('2026-12-07T15:00:00.000Z');

describe(UploadStates.name, () => {
  const sut = new UploadStates(key);

  it('proves the session it opened, and when', () => {
    const opened = sut.open('team/app', openedAt);
    expect(opened?.uploadId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    expect(opened?.token).toMatch(/^[0-9a-z]+\.[A-Za-z0-9_-]{22}$/);
    expect(opened?.deferred).toEqual({ startedAt: '2026-12-07T15:00:00.000Z' });
    expect(sut.verify('team/app', opened!.uploadId, opened!.token)).toEqual({
      deferred: opened!.deferred,
      token: opened!.token,
    });
    // any gateway with the same key
    expect(new UploadStates(key).verify('team/app', opened!.uploadId, opened!.token)).toBeDefined();
  });

  it('proves nothing for another repository, another session, another key or a changed time', () => {
    const { uploadId, token } = sut.open('team/app', openedAt)!;
    const [time, mac] = token.split('.') as [string, string];
    expect(sut.verify('team/other', uploadId, token)).toBeUndefined();
    expect(sut.verify('team/app', sut.open('team/app', openedAt)!.uploadId, token)).toBeUndefined();
    expect(
      new UploadStates('another key of sixteen').verify('team/app', uploadId, token),
    ).toBeUndefined();
    expect(
      sut.verify('team/app', uploadId, `${(parseInt(time, 36) + 1).toString(36)}.${mac}`),
    ).toBeUndefined();
  });

  it('proves nothing for a missing or malformed state', () => {
    const { uploadId, token } = sut.open('team/app', openedAt)!;
    for (const bad of [
      undefined,
      '',
      'x',
      `${token}x`,
      token.replace('.', '-'),
      `zzzzzzzzzzz.${token.split('.')[1]}`,
    ]) {
      expect(sut.verify('team/app', uploadId, bad)).toBeUndefined();
    }
  });

  it('opens nothing and proves nothing without a key', () => {
    const { uploadId, token } = sut.open('team/app', openedAt)!;
    const keyless = new UploadStates(undefined);
    expect(keyless.open('team/app')).toBeUndefined();
    expect(keyless.verify('team/app', uploadId, token)).toBeUndefined();
  });
});
