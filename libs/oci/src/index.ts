export * from './grammar';
export * from './oci-validation-error';
export * from './media-types';
export * from './digest';
export * from './descriptor';
export * from './manifest';
export * from './range';
export * from './distribution-path';
