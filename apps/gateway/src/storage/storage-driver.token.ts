/** The regional store, opened once at boot from the storage configuration. */
export const storageDriverToken = Symbol('StorageDriver');
