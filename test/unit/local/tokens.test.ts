import { createHash } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  LOCAL_AUDIENCE,
  LOCAL_ISSUER,
  openTokenIssuer,
  type TokenIssuer,
} from '../../../functions/local/tokens.ts';
import { InvalidToken, resetKeySets, verifyBearerToken } from '../../../functions/shared/bearer-token.ts';

const ORG = '954748634';

/** Verifies as the handlers do, against the key set the local server serves at /local/jwks.json. */
const verifyWith = (issuer: TokenIssuer, token: string) =>
  verifyBearerToken(token, {
    issuer: LOCAL_ISSUER,
    audience: LOCAL_AUDIENCE,
    jwksUri: `data:application/json,${encodeURIComponent(JSON.stringify(issuer.publicKeySet()))}`,
  });

const headerOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString());

describe('local token issuer (its tokens verified as the handlers verify them)', () => {
  let dataDir: string;
  let issuer: TokenIssuer;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'dpa-tokens-'));
    issuer = await openTokenIssuer(dataDir);
  });

  beforeEach(() => resetKeySets());

  it('issues a Maskinporten-shaped token that verifies against its published key set', async () => {
    const token = await issuer.issue({ orgNumber: ORG, scopes: ['dpa:read'], name: 'Kari Testesen' });

    const payload = await verifyWith(issuer, token);

    expect(payload).toMatchObject({
      consumer: { ID: `0192:${ORG}` },
      scope: 'dpa:read',
      iss: LOCAL_ISSUER,
      aud: LOCAL_AUDIENCE,
      name: 'Kari Testesen',
    });
  });

  it("names its key by the key's RFC 7638 thumbprint, in the token and in the key set", async () => {
    const [published] = issuer.publicKeySet().keys;
    const thumbprint = createHash('sha256')
      .update(JSON.stringify({ e: published!.e, kty: 'RSA', n: published!.n }))
      .digest('base64url');

    const token = await issuer.issue({ orgNumber: ORG });

    expect(issuer.keyId).toBe(thumbprint);
    expect(published).toMatchObject({ kid: thumbprint, kty: 'RSA', use: 'sig', alg: 'RS256' });
    expect(published).not.toHaveProperty('d');
    expect(headerOf(token)).toEqual({ alg: 'RS256', kid: thumbprint });
  });

  it('keeps its key across a restart, so tokens issued before still verify', async () => {
    const token = await issuer.issue({ orgNumber: ORG });

    const reopened = await openTokenIssuer(dataDir);

    expect(reopened.keyId).toBe(issuer.keyId);
    await expect(verifyWith(reopened, token)).resolves.toMatchObject({ consumer: { ID: `0192:${ORG}` } });
  });

  it("another data folder's issuer has another key: its tokens name a kid this one does not publish", async () => {
    const other = await openTokenIssuer(await mkdtemp(join(tmpdir(), 'dpa-tokens-')));

    const token = await other.issue({ orgNumber: ORG });

    expect(other.keyId).not.toBe(issuer.keyId);
    await expect(verifyWith(issuer, token)).rejects.toThrow(/key the issuer does not publish/);
  });

  it('refuses an invalid organisation number when issuing', async () => {
    await expect(issuer.issue({ orgNumber: '954748635' })).rejects.toThrow(/organisation number/);
  });

  it('issues on real time: a token issued two hours ago has expired', async () => {
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    const pastIssuer = await openTokenIssuer(dataDir, () => twoHoursAgo);

    const token = await pastIssuer.issue({ orgNumber: ORG });

    await expect(verifyWith(issuer, token)).rejects.toThrow(InvalidToken);
    await expect(verifyWith(issuer, token)).rejects.toThrow(/expired/);
  });
});
