export * from './free-port';
export * from './managed-process';
export * from './wait-for-http';
export * from './find-executable';
export * from './leftover-process';
export * from './nats-config';
export * from './nats-server';
export * from './embedded-postgres';
