export * from './durable-consumer';
export * from './durable-source';
export * from './jetstream-durable-source';
