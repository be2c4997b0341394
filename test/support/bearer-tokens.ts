import { createHash, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';

/**
 * Tokens for handler tests, signed synchronously with node:crypto by a test issuer whose key set is a
 * `data:` URL (Node's fetch reads it without a network), so the handlers verify them exactly as they
 * verify Maskinporten's.
 */
export const TEST_ISSUER = 'https://issuer.test/';
export const TEST_AUDIENCE = 'https://dpa.test';

export interface TestKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** RFC 7638 thumbprint, as the local issuer names its key. */
  kid: string;
}

export function testKey(): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const { n, e } = publicKey.export({ format: 'jwk' });
  const kid = createHash('sha256')
    .update(JSON.stringify({ e, kty: 'RSA', n }))
    .digest('base64url');
  return { privateKey, publicKey, kid };
}

/** The key the tests' issuer signs with, and publishes. */
export const ISSUER_KEY = testKey();

export const jwkOf = (key: TestKey) => ({
  ...key.publicKey.export({ format: 'jwk' }),
  kid: key.kid,
  use: 'sig',
  alg: 'RS256',
});

/** A JWKS as a `data:` URL; `tag` makes a different URL (so a different cache entry) for the same keys. */
export function keySetUrl(keys: readonly TestKey[] = [ISSUER_KEY], tag = ''): string {
  const body = JSON.stringify({ keys: keys.map(jwkOf) });
  return `data:application/json${tag ? `;tag=${tag}` : ''},${encodeURIComponent(body)}`;
}

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A compact JWS of `claims` with `header`, signed RS256 by `key` (or a signature made up by `signature`). */
export function signToken(
  claims: Record<string, unknown>,
  options: { key?: TestKey; header?: Record<string, unknown> } = {},
): string {
  const key = options.key ?? ISSUER_KEY;
  const signingInput = `${encode({ alg: 'RS256', typ: 'JWT', kid: key.kid, ...options.header })}.${encode(claims)}`;
  return `${signingInput}.${sign('sha256', Buffer.from(signingInput), key.privateKey).toString('base64url')}`;
}

/** The registered claims of a current token from the test issuer for the test audience. */
export function registeredClaims(now = Math.floor(Date.now() / 1000)): Record<string, unknown> {
  return { iss: TEST_ISSUER, aud: TEST_AUDIENCE, iat: now, exp: now + 600, jti: crypto.randomUUID() };
}

/** Points the handlers at the test issuer (unless a test set its own issuer up). */
export function useTestIssuer(env: NodeJS.ProcessEnv = process.env): void {
  env.JWT_ISSUER = TEST_ISSUER;
  env.JWT_AUDIENCE = TEST_AUDIENCE;
  env.JWKS_URI = keySetUrl();
}
