/**
 * Injection tokens of the gateway's auth parts, so tests and the module can hand in the
 * implementations (the key cache over NATS, or an in-memory one in unit tests).
 */
export const accessTokenVerifierToken = Symbol('AccessTokenVerifier');
export const authKeysSourceToken = Symbol('AuthKeysSource');
export const gatewayAuthConfigToken = Symbol('GatewayAuthConfig');
