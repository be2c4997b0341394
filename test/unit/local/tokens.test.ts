import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, importJWK, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  LOCAL_AUDIENCE,
  LOCAL_ISSUER,
  openTokenIssuer,
  type TokenIssuer,
} from '../../../functions/local/tokens.ts';

const ORG = '954748634';
const claims = { consumer: { ID: `0192:${ORG}` }, scope: 'dpa:read dpa:write', client_id: 'test' };
const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('local token issuer (verified as the API Gateway JWT authorizer would)', () => {
  let dataDir: string;
  let issuer: TokenIssuer;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'dpa-tokens-'));
    issuer = await openTokenIssuer(dataDir);
  });

  it('issues a Maskinporten-shaped token that verifies', async () => {
    const token = await issuer.issue({ orgNumber: ORG, scopes: ['dpa:read'], name: 'Kari Testesen' });
    const payload = await issuer.verify(token);
    expect(payload).toMatchObject({
      consumer: { ID: `0192:${ORG}` },
      scope: 'dpa:read',
      iss: LOCAL_ISSUER,
      aud: LOCAL_AUDIENCE,
      name: 'Kari Testesen',
    });
  });

  it('keeps its key across a restart, so tokens issued before still verify', async () => {
    const token = await issuer.issue({ orgNumber: ORG });
    const reopened = await openTokenIssuer(dataDir);
    await expect(reopened.verify(token)).resolves.toMatchObject({ consumer: { ID: `0192:${ORG}` } });
  });

  it('refuses an invalid organisation number when issuing', async () => {
    await expect(issuer.issue({ orgNumber: '954748635' })).rejects.toThrow(/organisation number/);
  });

  it('refuses an expired token', async () => {
    const anHourAgo = new Date(Date.now() - 2 * 3600_000);
    const pastIssuer = await openTokenIssuer(dataDir, () => anHourAgo);
    const token = await pastIssuer.issue({ orgNumber: ORG });
    await expect(issuer.verify(token)).rejects.toThrow(/exp/);
  });

  it('refuses a token signed with another key', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer(LOCAL_ISSUER)
      .setAudience(LOCAL_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
    await expect(issuer.verify(forged)).rejects.toThrow(/signature/);
  });

  it('refuses an unsigned token (alg: none)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({
      ...claims,
      iss: LOCAL_ISSUER,
      aud: LOCAL_AUDIENCE,
      iat: now,
      exp: now + 600,
    })}.`;
    await expect(issuer.verify(unsigned)).rejects.toThrow();
  });

  it.each([
    ['audience', { iss: LOCAL_ISSUER, aud: 'someone-else' }, /aud/],
    ['issuer', { iss: 'https://issuer.example', aud: LOCAL_AUDIENCE }, /iss/],
  ])('refuses a token signed with its own key but for another %s', async (_what, registered, message) => {
    const stored = JSON.parse(await readFile(join(dataDir, 'token-signing-key.json'), 'utf8'));
    const ownKey = await importJWK(stored.privateKey, 'RS256');
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer(registered.iss)
      .setAudience(registered.aud)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(ownKey);
    await expect(issuer.verify(token)).rejects.toThrow(message);
  });
});
