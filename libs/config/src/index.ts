export * from './env-schemas';
export * from './parse-env';
export * from './nats-connection-env';
export * from './service-env';
export * from './runtime-env';
