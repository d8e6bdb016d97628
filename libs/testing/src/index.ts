export * from './free-port';
export * from './process-group';
export * from './expect-eventually';
export * from './nats-server';
export * from './postgres';
export * from './ceph-rgw';
