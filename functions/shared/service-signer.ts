import { createHash, createPrivateKey, createPublicKey, type JsonWebKey, sign } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetPublicKeyCommand, SignCommand } from '@aws-sdk/client-kms';
import { kmsClient } from './clients.ts';

/**
 * The service's own signature (rule 14): seals of the logs and the manifests of evidence packs are
 * compact JWS, ES256 (ECDSA P-256, SHA-256), `kid` the RFC 7638 thumbprint of the public key. On AWS the
 * private key never leaves KMS (an ECC_NIST_P256 SIGN_VERIFY key); the local stack keeps its key in the
 * data folder. Retired keys stay listed so that old seals keep verifying.
 */
export interface ServiceSigner {
  /** A compact JWS over `payload` with header `{alg: 'ES256', kid, typ}`. */
  sign(payload: Uint8Array | string, typ: string): Promise<string>;
  /** The public keys, current first, as published at `/.well-known/jwks.json`. */
  publicKeys(): Promise<PublicJwk[]>;
}

export interface PublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  kid: string;
  alg: 'ES256';
  use: 'sig';
}

const base64url = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64url');

/** RFC 7638: SHA-256 of the required members in lexicographic order, no whitespace. */
export function thumbprint(jwk: { crv?: string; x?: string; y?: string }): string {
  const members = JSON.stringify({ crv: jwk.crv, kty: 'EC', x: jwk.x, y: jwk.y });
  return createHash('sha256').update(members).digest('base64url');
}

function publicJwk(jwk: JsonWebKey): PublicJwk {
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.x || !jwk.y) {
    throw new Error('The service signing key must be an EC P-256 key');
  }
  return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, kid: thumbprint(jwk), alg: 'ES256', use: 'sig' };
}

async function compactJws(
  kid: string,
  typ: string,
  payload: Uint8Array | string,
  signDigestInput: (input: Buffer) => Promise<Uint8Array>,
): Promise<string> {
  const input = `${base64url(JSON.stringify({ alg: 'ES256', kid, typ }))}.${base64url(payload)}`;
  const signature = await signDigestInput(Buffer.from(input, 'ascii'));
  return `${input}.${base64url(signature)}`;
}

/**
 * KMS answers ECDSA signatures DER-encoded (SEQUENCE of two INTEGERs); JWS wants r and s as 32 bytes
 * each, big-endian (RFC 7518 §3.4).
 */
export function derToJose(der: Uint8Array): Uint8Array {
  const bytes = Buffer.from(der);
  let offset = 2;
  if (bytes[0] !== 0x30) throw new Error('Not a DER ECDSA signature');
  if (bytes[1]! & 0x80) offset = 2 + (bytes[1]! & 0x7f);
  const integer = () => {
    if (bytes[offset] !== 0x02) throw new Error('Not a DER ECDSA signature');
    const length = bytes[offset + 1]!;
    const value = bytes.subarray(offset + 2, offset + 2 + length);
    offset += 2 + length;
    const trimmed = value.subarray(Math.max(0, value.length - 32));
    if (value.length > 33 || (value.length === 33 && value[0] !== 0))
      throw new Error('ECDSA integer too long');
    return Buffer.concat([Buffer.alloc(32 - trimmed.length), trimmed]);
  };
  const r = integer();
  const s = integer();
  return Buffer.concat([r, s]);
}

/** The local stack's keys: `<dir>/*.jwk.json`, private EC P-256 JWKs; the last by name signs. */
export async function localSigner(directory: string): Promise<ServiceSigner> {
  const files = (await readdir(directory)).filter((name) => name.endsWith('.jwk.json')).sort();
  if (files.length === 0) throw new Error(`No service signing key in ${directory}`);
  const keys = await Promise.all(
    files.map(async (name) => JSON.parse(await readFile(join(directory, name), 'utf8')) as JsonWebKey),
  );
  const current = keys.at(-1)!;
  const privateKey = createPrivateKey({ key: current, format: 'jwk' });
  const kid = thumbprint(current);
  const published = keys.map(publicJwk).reverse();
  return {
    sign: (payload, typ) =>
      compactJws(kid, typ, payload, async (input) =>
        sign('sha256', input, { key: privateKey, dsaEncoding: 'ieee-p1363' }),
      ),
    publicKeys: async () => published,
  };
}

/** KMS keys by ARN: `current` signs; `published` (current first) are listed for verifiers. */
export function kmsSigner(current: string, published: readonly string[]): ServiceSigner {
  const jwks = new Map<string, Promise<PublicJwk>>();
  const jwkOf = (keyId: string) => {
    let jwk = jwks.get(keyId);
    if (!jwk) {
      jwk = kmsClient()
        .send(new GetPublicKeyCommand({ KeyId: keyId }))
        .then(({ PublicKey }) =>
          publicJwk(
            createPublicKey({ key: Buffer.from(PublicKey!), format: 'der', type: 'spki' }).export({
              format: 'jwk',
            }),
          ),
        );
      jwk.catch(() => jwks.delete(keyId));
      jwks.set(keyId, jwk);
    }
    return jwk;
  };
  return {
    async sign(payload, typ) {
      const { kid } = await jwkOf(current);
      return compactJws(kid, typ, payload, async (input) => {
        const { Signature } = await kmsClient().send(
          new SignCommand({
            KeyId: current,
            Message: createHash('sha256').update(input).digest(),
            MessageType: 'DIGEST',
            SigningAlgorithm: 'ECDSA_SHA_256',
          }),
        );
        return derToJose(Signature!);
      });
    },
    publicKeys: () => Promise.all([current, ...published.filter((key) => key !== current)].map(jwkOf)),
  };
}

let signer: Promise<ServiceSigner> | undefined;

/**
 * The signer this deployment uses: KMS when `SEAL_KEY_ARN` is set (AWS), the key folder in
 * `SEAL_KEY_DIR` otherwise (the local stack).
 */
export function serviceSigner(): Promise<ServiceSigner> {
  if (!signer) {
    const arn = process.env.SEAL_KEY_ARN;
    const retired = (process.env.RETIRED_SEAL_KEY_ARNS ?? '').split(',').filter(Boolean);
    const directory = process.env.SEAL_KEY_DIR;
    if (arn) signer = Promise.resolve(kmsSigner(arn, retired));
    else if (directory) signer = localSigner(directory);
    else throw new Error('Missing environment variable SEAL_KEY_ARN (or SEAL_KEY_DIR locally)');
    signer.catch(() => {
      signer = undefined;
    });
  }
  return signer;
}

/** The local stack switches key folders when it (re)starts in the same process (tests). */
export function resetServiceSigner(): void {
  signer = undefined;
}
