import { type RegistryUnderTest } from './registry-under-test';

/** A client's failure is read beside what the registry logged at the time. */
export async function withRegistryOutput<T>(
  registry: RegistryUnderTest,
  work: Promise<T>,
): Promise<T> {
  try {
    return await work;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}\n\n${registry.describeOutput()}`, { cause: error });
  }
}
