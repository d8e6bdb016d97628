/**
 * The management API (`/api/v1/…`) of the registry under test, called as its admin with
 * Basic credentials, JSON in and out; a status other than the expected one throws with
 * the body, so a failing setup step says what the registry answered.
 */
import type { RegistryUnderTest } from './registry-under-test';

export class ManagementApi {
  constructor(private readonly registry: RegistryUnderTest) {}

  async call<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    expected: readonly number[] = [200, 201, 204],
  ): Promise<T> {
    const { username, password } = this.registry.credentials;
    const response = await fetch(`${this.registry.url}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    if (!expected.includes(response.status)) {
      throw new Error(
        `${method} /api/v1${path}: expected ${expected.join(' or ')}, got ${response.status} ${text}`,
      );
    }
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }
}
