import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type CryptoKey,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose';
import { isValidOrgNumber } from '../domain/org-number.ts';

/**
 * The local stack's token issuer: Maskinporten-shaped JWTs signed with its own RSA key (kept in the data
 * folder), verified the way API Gateway's JWT authorizer does: signature, RS256 only, issuer, audience,
 * expiry. `alg: none` and foreign keys are refused.
 */
export const LOCAL_ISSUER = 'http://127.0.0.1/local-issuer';
export const LOCAL_AUDIENCE = 'dpa-local';
const TOKEN_LIFETIME_SECONDS = 3600;

export interface TokenIssuer {
  issue(request: { orgNumber: string; scopes?: string[]; name?: string }): Promise<string>;
  verify(token: string): Promise<JWTPayload>;
}

export async function openTokenIssuer(
  dataDir: string,
  realNow: () => Date = () => new Date(),
): Promise<TokenIssuer> {
  const { privateKey, publicKey } = await loadOrCreateKeys(dataDir);
  return {
    async issue({ orgNumber, scopes = ['dpa:read', 'dpa:write'], name }) {
      if (!isValidOrgNumber(orgNumber))
        throw new Error('orgNumber must be a valid Norwegian organisation number');
      const issuedAt = Math.floor(realNow().getTime() / 1000);
      return new SignJWT({
        consumer: { authority: 'iso6523-actorid-upis', ID: `0192:${orgNumber}` },
        scope: scopes.join(' '),
        client_id: `local-${orgNumber}`,
        ...(name ? { name } : {}),
      })
        .setProtectedHeader({ alg: 'RS256', kid: 'local' })
        .setIssuer(LOCAL_ISSUER)
        .setAudience(LOCAL_AUDIENCE)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + TOKEN_LIFETIME_SECONDS)
        .setJti(crypto.randomUUID())
        .sign(privateKey);
    },
    async verify(token) {
      const { payload } = await jwtVerify(token, publicKey, {
        issuer: LOCAL_ISSUER,
        audience: LOCAL_AUDIENCE,
        algorithms: ['RS256'],
        currentDate: realNow(),
      });
      return payload;
    },
  };
}

/** Token lifetimes run on real time: the virtual clock moves agreements, not credentials. */
export const tokenLifetimeSeconds = TOKEN_LIFETIME_SECONDS;

async function loadOrCreateKeys(dataDir: string): Promise<{ privateKey: CryptoKey; publicKey: CryptoKey }> {
  const file = join(dataDir, 'token-signing-key.json');
  try {
    const stored = JSON.parse(await readFile(file, 'utf8'));
    return {
      privateKey: (await importJWK(stored.privateKey, 'RS256')) as CryptoKey,
      publicKey: (await importJWK(stored.publicKey, 'RS256')) as CryptoKey,
    };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  await mkdir(dataDir, { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(
    temp,
    JSON.stringify({ privateKey: await exportJWK(privateKey), publicKey: await exportJWK(publicKey) }),
    {
      mode: 0o600,
    },
  );
  await rename(temp, file);
  return { privateKey, publicKey };
}
