import { z } from 'zod';
import { storageConfigFromEnv, withStorageEnv } from './storage-env';

const sut = withStorageEnv({ MERIDIAN_PORT: z.coerce.number().int().min(1) });

function badKeys(env: Record<string, string>): string[] {
  const parsed = sut.safeParse(env);
  if (parsed.success) throw new Error('expected the environment to be refused');
  return [...new Set(parsed.error.issues.map((issue) => String(issue.path[0])))].sort();
}

describe(storageConfigFromEnv.name, () => {
  it('puts a filesystem store under .meridian/<region>/store by default', () => {
    const env = sut.parse({ MERIDIAN_PORT: '5000' });
    expect(storageConfigFromEnv(env, 'eu-west', '/srv')).toEqual({
      driver: 'filesystem',
      rootDirectory: '/srv/.meridian/eu-west/store',
    });
    const elsewhere = sut.parse({ MERIDIAN_PORT: '5000', MERIDIAN_STORAGE_DIR: 'data/store' });
    expect(storageConfigFromEnv(elsewhere, 'eu-west', '/srv')).toEqual({
      driver: 'filesystem',
      rootDirectory: '/srv/data/store',
    });
  });

  it('maps every S3 variable, redirecting through the public endpoint by default', () => {
    const env = sut.parse({
      MERIDIAN_PORT: '5000',
      MERIDIAN_STORAGE_DRIVER: 's3',
      MERIDIAN_S3_ENDPOINT: 'http://rgw.internal:7480',
      MERIDIAN_S3_PUBLIC_ENDPOINT: 'https://store.example.com',
      MERIDIAN_S3_BUCKET: 'meridian-us-east',
      MERIDIAN_S3_ACCESS_KEY_ID: 'id',
      MERIDIAN_S3_SECRET_ACCESS_KEY: 'secret',
    });
    expect(storageConfigFromEnv(env, 'us-east', '/srv')).toEqual({
      driver: 's3',
      endpoint: 'http://rgw.internal:7480',
      publicEndpoint: 'https://store.example.com',
      region: 'us-east-1',
      bucket: 'meridian-us-east',
      accessKeyId: 'id',
      secretAccessKey: 'secret',
      forcePathStyle: true,
      redirect: true,
    });
  });
});

describe(withStorageEnv.name, () => {
  it('asks for the bucket and credentials of an s3 store, even beside other bad keys', () => {
    expect(badKeys({ MERIDIAN_PORT: '0', MERIDIAN_STORAGE_DRIVER: 's3' })).toEqual([
      'MERIDIAN_PORT',
      'MERIDIAN_S3_ACCESS_KEY_ID',
      'MERIDIAN_S3_BUCKET',
      'MERIDIAN_S3_SECRET_ACCESS_KEY',
    ]);
  });

  it('refuses a bad driver, endpoint, bucket name or flag', () => {
    expect(
      badKeys({
        MERIDIAN_PORT: '5000',
        MERIDIAN_STORAGE_DRIVER: 'ftp',
        MERIDIAN_S3_PUBLIC_ENDPOINT: 'not a url',
        MERIDIAN_S3_BUCKET: 'Not_A_Bucket',
        MERIDIAN_S3_REDIRECT: 'maybe',
      }),
    ).toEqual([
      'MERIDIAN_S3_BUCKET',
      'MERIDIAN_S3_PUBLIC_ENDPOINT',
      'MERIDIAN_S3_REDIRECT',
      'MERIDIAN_STORAGE_DRIVER',
    ]);
  });
});
