import { createHash, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { calculateJwkThumbprint, compactVerify, importJWK } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { resetClients } from '../../../functions/shared/clients.ts';
import {
  derToJose,
  kmsSigner,
  localSigner,
  type PublicJwk,
  thumbprint,
} from '../../../functions/shared/service-signer.ts';

const newKey = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });

async function verifiedWith(jws: string, keys: PublicJwk[]) {
  const header = JSON.parse(Buffer.from(jws.split('.')[0]!, 'base64url').toString('utf8'));
  const key = keys.find((candidate) => candidate.kid === header.kid);
  if (!key) throw new Error(`no key ${header.kid}`);
  const { payload, protectedHeader } = await compactVerify(jws, await importJWK(key, 'ES256'));
  return { payload: Buffer.from(payload).toString('utf8'), header: protectedHeader };
}

async function keyFolder(...keys: KeyObject[]): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'seal-keys-'));
  for (const [index, key] of keys.entries()) {
    await writeFile(
      join(directory, `000${index + 1}.jwk.json`),
      JSON.stringify(key.export({ format: 'jwk' })),
    );
  }
  return directory;
}

describe('the service signature: compact JWS, ES256', () => {
  it('computes the kid as the RFC 7638 thumbprint of the public key', async () => {
    const jwk = newKey().publicKey.export({ format: 'jwk' });
    expect(thumbprint(jwk)).toBe(
      await calculateJwkThumbprint({ kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y }),
    );
  });

  it('turns every DER signature into the 64 bytes of r and s that JWS verifiers expect', () => {
    const { privateKey, publicKey } = newKey();
    // Enough signatures that r or s with a leading zero byte (shorter DER integers) occur.
    for (let index = 0; index < 300; index += 1) {
      const data = Buffer.from(`message ${index}`);
      const jose = derToJose(sign('sha256', data, { key: privateKey, dsaEncoding: 'der' }));
      expect(jose).toHaveLength(64);
      expect(verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, jose)).toBe(true);
    }
  });

  it('refuses what is not a DER ECDSA signature', () => {
    expect(() => derToJose(new Uint8Array([0x31, 0x02, 0x02, 0x00]))).toThrow(/DER/);
  });

  it('signs with the newest local key and lists every key, newest first', async () => {
    const [old, current] = [newKey(), newKey()];
    const signer = await localSigner(await keyFolder(old.privateKey, current.privateKey));
    const keys = await signer.publicKeys();
    expect(keys.map((key) => key.kid)).toEqual([
      thumbprint(current.publicKey.export({ format: 'jwk' })),
      thumbprint(old.publicKey.export({ format: 'jwk' })),
    ]);
    expect(keys.every((key) => !('d' in key))).toBe(true);

    const jws = await signer.sign('{"root":"æøå"}', 'dpa-seal+jws');
    const { payload, header } = await verifiedWith(jws, keys);
    expect(payload).toBe('{"root":"æøå"}');
    expect(header).toEqual({ alg: 'ES256', kid: keys[0]!.kid, typ: 'dpa-seal+jws' });
  });

  it('keeps a seal of a retired key verifiable after rotation', async () => {
    const old = newKey();
    const folder = await keyFolder(old.privateKey);
    const before = await (await localSigner(folder)).sign('sealed before', 'dpa-seal+jws');
    await writeFile(
      join(folder, '0002.jwk.json'),
      JSON.stringify(newKey().privateKey.export({ format: 'jwk' })),
    );
    const rotated = await localSigner(folder);
    expect((await verifiedWith(before, await rotated.publicKeys())).payload).toBe('sealed before');
  });
});

describe('the service signature on AWS: KMS', () => {
  const kms = mockClient(KMSClient);
  afterEach(() => {
    kms.reset();
    resetClients();
  });

  it('signs the digest of the signing input in KMS and publishes the current and retired keys', async () => {
    const current = newKey();
    const retired = newKey();
    const spki = (key: KeyObject) => new Uint8Array(key.export({ format: 'der', type: 'spki' }));
    kms
      .on(GetPublicKeyCommand, { KeyId: 'arn:current' })
      .resolves({ PublicKey: spki(current.publicKey) })
      .on(GetPublicKeyCommand, { KeyId: 'arn:retired' })
      .resolves({ PublicKey: spki(retired.publicKey) });
    const kid = thumbprint(current.publicKey.export({ format: 'jwk' }));
    const header = Buffer.from(JSON.stringify({ alg: 'ES256', kid, typ: 'dpa-manifest+jws' })).toString(
      'base64url',
    );
    const input = Buffer.from(`${header}.${Buffer.from('manifest').toString('base64url')}`);
    kms.on(SignCommand).callsFake((command) => {
      expect(Buffer.from(command.Message)).toEqual(createHash('sha256').update(input).digest());
      return { Signature: sign('sha256', input, { key: current.privateKey, dsaEncoding: 'der' }) };
    });

    const signer = kmsSigner('arn:current', ['arn:retired', 'arn:current']);
    const jws = await signer.sign('manifest', 'dpa-manifest+jws');
    const keys = await signer.publicKeys();

    expect(keys.map((key) => key.kid)).toEqual([
      kid,
      thumbprint(retired.publicKey.export({ format: 'jwk' })),
    ]);
    expect((await verifiedWith(jws, keys)).payload).toBe('manifest');
    expect(kms.commandCalls(SignCommand)[0]!.args[0].input).toMatchObject({
      KeyId: 'arn:current',
      MessageType: 'DIGEST',
      SigningAlgorithm: 'ECDSA_SHA_256',
    });
  });
});
