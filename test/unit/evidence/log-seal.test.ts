import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  decodeJwsPayload,
  leafHash,
  logLine,
  logOf,
  merkleRoot,
  sealBody,
} from '../../../functions/domain/evidence/log-seal.ts';

const sha256 = (...parts: (Uint8Array | string)[]) => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

/**
 * RFC 6962 §2.1 as written there, over the data (not the leaf hashes): MTH({d0}) = SHA-256(0x00 || d0);
 * for n > 1, k the largest power of two smaller than n, MTH(D[n]) = SHA-256(0x01 || MTH(D[0:k]) ||
 * MTH(D[k:n])).
 */
function referenceTreeHash(data: readonly string[]): Buffer {
  if (data.length === 1) return sha256(Buffer.from([0x00]), Buffer.from(data[0]!, 'utf8'));
  const k = 2 ** Math.floor(Math.log2(data.length - 1));
  return sha256(Buffer.from([0x01]), referenceTreeHash(data.slice(0, k)), referenceTreeHash(data.slice(k)));
}

describe('rule 14: the Merkle tree of a seal (RFC 6962)', () => {
  it('hashes a leaf as SHA-256 of 0x00 and the UTF-8 line', () => {
    expect(leafHash('a')).toBe('022a6979e6dab7aa5ae4c3e5e45f7e977112a7e63593820dbec1ec738a24f93c');
    expect(leafHash('a')).not.toBe(sha256('a').toString('hex'));
  });

  it('gives the root worked out with sha256sum for three leaves a, b, c (split 2 + 1)', () => {
    // printf '\x00a' | sha256sum, ...; node = printf '\x01' + binary(la || lb) | sha256sum;
    // root = printf '\x01' + binary(node || lc) | sha256sum (docs/evidence-format.md has the commands).
    const leaves = ['a', 'b', 'c'].map(leafHash);
    expect(leaves).toEqual([
      '022a6979e6dab7aa5ae4c3e5e45f7e977112a7e63593820dbec1ec738a24f93c',
      '57eb35615d47f34ec714cacdf5fd74608a5e8e102724e80b24b287c0c27b6a31',
      '597fcb31282d34654c200d3418fca5705c648ebf326ec73d8ddef11841f876d8',
    ]);
    expect(merkleRoot(leaves.slice(0, 2))).toBe(
      'b137985ff484fb600db93107c77b0365c80d78f5b429ded0fd97361d077999eb',
    );
    expect(merkleRoot(leaves)).toBe('36642e73c2540ab121e3a6bf9545b0a24982cd830eb13d3cd19de3ce6c021ec1');
  });

  it('agrees with a straightforward recursive RFC 6962 tree hash for 1 to 20 leaves', () => {
    for (let n = 1; n <= 20; n++) {
      const data = Array.from({ length: n }, (_, i) => `{"id":"HISTORY#${i}","note":"linje ${i} æøå"}`);
      expect(merkleRoot(data.map(leafHash)), `n = ${n}`).toBe(referenceTreeHash(data).toString('hex'));
    }
  });

  it('is its own root for one leaf, and changes with the order of the leaves', () => {
    const [a, b] = ['a', 'b'].map(leafHash) as [string, string];
    expect(merkleRoot([a])).toBe(a);
    expect(merkleRoot([a, b])).not.toBe(merkleRoot([b, a]));
  });

  it('refuses an empty tree and a leaf that is not a hex SHA-256', () => {
    expect(() => merkleRoot([])).toThrow(/at least one leaf/);
    expect(() => merkleRoot(['abc'])).toThrow(/Not a leaf hash/);
    expect(() => merkleRoot([leafHash('a').toUpperCase()])).toThrow(/Not a leaf hash/);
  });
});

describe('rule 14: log lines', () => {
  it('serialises an entry with its id by RFC 8785: keys sorted, no spaces, æøå as UTF-8', () => {
    const id = 'HISTORY#2026-03-01T10:00:00.000Z#0#k3j2';
    const line = logLine(id, {
      type: 'SIGNED',
      at: '2026-03-01T10:00:00.000Z',
      details: { signatory: 'Åse Ærø', place: 'Tromsø', 'ø-felt': 1.5e21 },
      actor: { orgNumber: '954748634', clientId: 'radoy' },
    });
    expect(line).toBe(
      '{"actor":{"clientId":"radoy","orgNumber":"954748634"},"at":"2026-03-01T10:00:00.000Z",' +
        '"details":{"place":"Tromsø","signatory":"Åse Ærø","ø-felt":1.5e+21},' +
        '"id":"HISTORY#2026-03-01T10:00:00.000Z#0#k3j2","type":"SIGNED"}',
    );
    expect(leafHash(line)).toBe(sha256(Buffer.from([0]), Buffer.from(line, 'utf8')).toString('hex'));
  });

  it('tells the log from the id and refuses ids of neither log', () => {
    expect(logOf('HISTORY#2026-03-01T10:00:00.000Z#0#k3j2')).toBe('history');
    expect(logOf('AUDIT#2026-03-01T10:00:00.000Z#1#zz')).toBe('audit');
    expect(() => logOf('SEAL#000001')).toThrow(/Not a history or audit entry id/);
    expect(() => logLine('AGREEMENT', { at: 'x' })).toThrow(/Not a history or audit entry id/);
  });

  it('refuses an entry that carries another id', () => {
    expect(() => logLine('AUDIT#1', { id: 'AUDIT#2', at: 'x' })).toThrow(/carries another id/);
  });
});

describe('rule 14: the seal body', () => {
  const entries = [
    { id: 'HISTORY#a', leaf: leafHash('a') },
    { id: 'AUDIT#b', leaf: leafHash('b') },
  ];

  it('names no previous seal for seal 1, and covers its entries by size and root', () => {
    expect(sealBody('agr-1', 1, '2026-03-02T02:00:00.000Z', entries, undefined)).toEqual({
      format: 'dpa-seal/1',
      agreementId: 'agr-1',
      seq: 1,
      sealedAt: '2026-03-02T02:00:00.000Z',
      size: 2,
      root: merkleRoot(entries.map(({ leaf }) => leaf)),
      previous: null,
    });
  });

  it('chains a later seal to the SHA-256 of the previous seal’s compact JWS', () => {
    const previousJws = 'eyJhbGciOiJFUzI1NiJ9.eyJzZXEiOjF9.c2ln';
    const body = sealBody('agr-1', 2, '2026-03-03T02:00:00.000Z', entries.slice(0, 1), previousJws);
    expect(body.previous).toBe(createHash('sha256').update(previousJws, 'ascii').digest('hex'));
    expect(body.root).toBe(entries[0]!.leaf);
  });

  it('refuses a seal 1 with a previous seal, a later seal without one and an empty seal', () => {
    expect(() => sealBody('agr-1', 1, 't', entries, 'a.b.c')).toThrow(/Seal 1/);
    expect(() => sealBody('agr-1', 2, 't', entries, undefined)).toThrow(/needs the previous seal/);
    expect(() => sealBody('agr-1', 1, 't', [], undefined)).toThrow(/at least one leaf/);
  });

  it('reads a compact JWS payload back as JSON', () => {
    const payload = Buffer.from('{"seq":3,"root":"ø"}').toString('base64url');
    expect(decodeJwsPayload(`e30.${payload}.c2ln`)).toEqual({ seq: 3, root: 'ø' });
    expect(() => decodeJwsPayload('e30.e30')).toThrow(/compact JWS/);
  });
});
