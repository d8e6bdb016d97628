export * from './logger';
export * from './nest-logger';
export * from './logger.token';
export * from './tracing';
export * from './metrics';
export * from './health';
export * from './graceful-shutdown';
export * from './bootstrap-service';
