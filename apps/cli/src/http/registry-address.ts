/**
 * A registry as the user names it: `registry.example.com`, `host:5000`, or a URL with its
 * scheme. `host` (with the port) is the key docker, podman and skopeo file credentials
 * under; `baseUrl` is where the CLI sends its requests. Without a scheme the registry is
 * spoken to over HTTPS, except on a loopback address, where a registry run for development
 * listens on plain HTTP (docker trusts loopback the same way).
 */
import { usageError } from '../cli-error';

export interface RegistryAddress {
  /** `host[:port]`, the credential files' key */
  readonly host: string;
  /** `http(s)://host[:port]`, no trailing slash */
  readonly baseUrl: string;
}

export function parseRegistryAddress(input: string): RegistryAddress {
  const text = input.trim();
  if (text === '') throw usageError('the registry is empty');
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text);
  let url: URL;
  try {
    url = new URL(hasScheme ? text : `https://${text}`);
  } catch {
    throw usageError(`"${input}" is not a registry address (host[:port] or http(s)://host[:port])`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw usageError(`"${input}": a registry is spoken to over http or https`);
  }
  if (url.username || url.password || (url.pathname !== '/' && url.pathname !== '') || url.search) {
    throw usageError(`"${input}": give the registry's host and port only`);
  }
  const protocol = hasScheme ? url.protocol : isLoopback(url.hostname) ? 'http:' : 'https:';
  return { host: url.host, baseUrl: `${protocol}//${url.host}` };
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || /^127\./.test(hostname) || hostname === '[::1]';
}
