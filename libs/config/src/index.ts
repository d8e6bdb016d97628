export * from './env-schemas';
export * from './parse-env';
