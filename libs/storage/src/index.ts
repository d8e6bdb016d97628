export * from './storage-driver';
export * from './paths';
export * from './filesystem.driver';
export * from './s3.driver';
export * from './create-storage-driver';
export * from './storage-env';
export * from './peer-storage-env';
export * from './traced-storage-driver';
