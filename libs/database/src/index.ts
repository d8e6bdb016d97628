export * from './sql';
export * from './migrate';
export * from './outbox';
export * from './outbox-relay';
export * from './database.module';
export * from './service-modules';
export * from './blob-holds';
export * from './begin-pipelined';
