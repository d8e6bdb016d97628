/**
 * The region's store as Nest providers ask for it: every service that opens one (the gateway,
 * the blob and scan services) opens it once at boot from the storage
 * configuration and provides it under this token.
 */
export const storageDriverToken = Symbol('StorageDriver');
