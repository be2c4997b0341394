import { createHash, randomBytes } from 'node:crypto';

/**
 * A feed's secret: 32 random bytes (256 bits), base64url, in the path `/calendar/<token>.ics`. Only its
 * SHA-256 is stored, so neither a copy of the table nor an Idempotency-Key's record gives it away.
 */
export const TOKEN_BYTES = 32;

export const newFeedToken = (): string => randomBytes(TOKEN_BYTES).toString('base64url');

export const feedTokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');

/** The token in a `<token>.ics` path segment; undefined for anything else (answered as not found). */
export function tokenOfFeedFile(file: string | undefined): string | undefined {
  const match = /^([A-Za-z0-9_-]{43})\.ics$/.exec(file ?? '');
  return match?.[1];
}

export const feedPath = (token: string) => `/calendar/${token}.ics`;
