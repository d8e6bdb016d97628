/**
 * Store calls as spans, and the store as a readiness probe. The drivers stay as they are:
 * `traceStorageDriver` wraps one in a proxy whose calls run inside a `store.<operation>`
 * span (with the key), and which is still `instanceof` its driver class, so a
 * same-store server-side copy is still recognised.
 */
import { type ReadinessProbe, SpanKind, inSpan, markReadinessProbe } from '@meridian/telemetry';
import type { StorageDriver } from './storage-driver';

const tracedOperations = new Set<string>([
  'stat',
  'read',
  'put',
  'delete',
  'presignGet',
  'copyFrom',
  'startUpload',
  'appendUpload',
  'readUpload',
  'completeUpload',
  'abortUpload',
  'sweepInterruptedWrites',
]);

export function traceStorageDriver<D extends StorageDriver>(driver: D, name: string): D {
  return new Proxy(driver, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof property !== 'string' || !tracedOperations.has(property)) return value;
      if (typeof value !== 'function') return value;
      const operation = value as (...args: unknown[]) => Promise<unknown>;
      return (...args: unknown[]) =>
        inSpan(
          `store.${property}`,
          {
            kind: SpanKind.CLIENT,
            attributes: {
              'meridian.store.driver': name,
              ...(typeof args[0] === 'string' ? { 'meridian.store.key': args[0] } : {}),
            },
          },
          () => operation.apply(target, args),
        );
    },
  });
}

/** Readiness of a store: a `stat` of a key no one writes answers "absent" when it is up. */
export function storageReadinessProbe(driver: Pick<StorageDriver, 'stat'>): ReadinessProbe {
  return markReadinessProbe({
    dependency: 'store',
    check: async () => {
      await driver.stat('_meridian/readiness-probe');
    },
  });
}
