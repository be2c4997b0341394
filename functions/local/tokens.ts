import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  SignJWT,
} from 'jose';
import { isValidOrgNumber } from '../domain/org-number.ts';

/**
 * The local stack's token issuer: Maskinporten-shaped JWTs signed with its own RSA key (kept in the data
 * folder). Its public key is served at `/local/jwks.json`, where the handlers fetch it to verify tokens
 * exactly as on AWS (functions/shared/bearer-token.ts). The `kid` is the key's RFC 7638 thumbprint, so
 * another stack's key (a new data folder on a reused port) is an unknown kid, never a wrong signature.
 */
export const LOCAL_ISSUER = 'http://127.0.0.1/local-issuer';
export const LOCAL_AUDIENCE = 'dpa-local';
const TOKEN_LIFETIME_SECONDS = 3600;

/**
 * A token request: Maskinporten's own (`orgNumber` alone), one delegated through Altinn to a vendor
 * (`supplierOrgNumber`: the vendor, in the `supplier` claim), or an Altinn system user's (`systemUser`:
 * `orgNumber` is the system user's organisation, `supplierOrgNumber` the vendor, who is then the
 * token's `consumer`).
 */
export interface TokenRequest {
  orgNumber: string;
  scopes?: string[];
  name?: string;
  supplierOrgNumber?: string;
  systemUser?: { id?: string };
}

const orgClaim = (orgNumber: string) => ({ authority: 'iso6523-actorid-upis', ID: `0192:${orgNumber}` });

/** The claims that say who the token acts for, as Maskinporten and Altinn issue them. */
function actingClaims({ orgNumber, supplierOrgNumber, systemUser }: TokenRequest): Record<string, unknown> {
  if (systemUser) {
    if (!supplierOrgNumber) throw new Error('A system user token needs supplierOrgNumber (the vendor)');
    return {
      consumer: orgClaim(supplierOrgNumber),
      authorization_details: [
        {
          type: 'urn:altinn:systemuser',
          systemuser_org: orgClaim(orgNumber),
          systemuser_id: [systemUser.id ?? crypto.randomUUID()],
          system_id: `local-system-${supplierOrgNumber}`,
        },
      ],
    };
  }
  return {
    consumer: orgClaim(orgNumber),
    ...(supplierOrgNumber ? { supplier: orgClaim(supplierOrgNumber) } : {}),
  };
}

export interface TokenIssuer {
  issue(request: TokenRequest): Promise<string>;
  /** The RFC 7638 thumbprint of the signing key: every token's `kid`. */
  keyId: string;
  /** The public key as a JWK Set, as Maskinporten publishes its own at its `jwks_uri`. */
  publicKeySet(): { keys: JWK[] };
}

export async function openTokenIssuer(
  dataDir: string,
  realNow: () => Date = () => new Date(),
): Promise<TokenIssuer> {
  const { privateKey, publicJwk } = await loadOrCreateKeys(dataDir);
  const keyId = await calculateJwkThumbprint(publicJwk, 'sha256');
  const { kty, n, e } = publicJwk;
  const published: JWK = { kty, n, e, kid: keyId, use: 'sig', alg: 'RS256' };
  return {
    keyId,
    publicKeySet: () => ({ keys: [published] }),
    async issue(request) {
      const { orgNumber, scopes = ['dpa:read', 'dpa:write'], name, supplierOrgNumber } = request;
      for (const number of [orgNumber, supplierOrgNumber ?? orgNumber]) {
        if (!isValidOrgNumber(number))
          throw new Error(`${number} is not a valid Norwegian organisation number`);
      }
      const issuedAt = Math.floor(realNow().getTime() / 1000);
      return new SignJWT({
        ...actingClaims(request),
        scope: scopes.join(' '),
        client_id: `local-${supplierOrgNumber ?? orgNumber}`,
        ...(name ? { name } : {}),
      })
        .setProtectedHeader({ alg: 'RS256', kid: keyId })
        .setIssuer(LOCAL_ISSUER)
        .setAudience(LOCAL_AUDIENCE)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + TOKEN_LIFETIME_SECONDS)
        .setJti(crypto.randomUUID())
        .sign(privateKey);
    },
  };
}

/** Token lifetimes run on real time: the virtual clock moves agreements, not credentials. */
export const tokenLifetimeSeconds = TOKEN_LIFETIME_SECONDS;

async function loadOrCreateKeys(dataDir: string): Promise<{ privateKey: CryptoKey; publicJwk: JWK }> {
  const file = join(dataDir, 'token-signing-key.json');
  try {
    const stored = JSON.parse(await readFile(file, 'utf8'));
    return {
      privateKey: (await importJWK(stored.privateKey, 'RS256')) as CryptoKey,
      publicJwk: stored.publicKey as JWK,
    };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  await mkdir(dataDir, { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify({ privateKey: await exportJWK(privateKey), publicKey: publicJwk }), {
    mode: 0o600,
  });
  await rename(temp, file);
  return { privateKey, publicJwk };
}
