export * from './messaging';
export * from './messaging.module';
export * from './rpc-context';
export * from './rpc-envelope';
export * from './rpc-handler.decorator';
export * from './consume-in-span';
export * from './durable-consumer';
