import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { describe, expect, it } from 'vitest';
import {
  decodeJwsPayload,
  leafHash,
  logLine,
  logOf,
  merkleRoot,
  merkleTree,
  RUN_FORMAT,
  rootFromProof,
  SEAL_FORMAT,
  type SealBody,
  sealBody,
  sealDigest,
  sealLeaf,
  sealRun,
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

/**
 * RFC 6962 §2.1.1 as written there, over the data: PATH(0, {d0}) = {}; for n > 1 and k as above,
 * PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n]) for m < k, and PATH(m - k, D[k:n]) : MTH(D[0:k]) for
 * m >= k (":" appends, so the sibling nearest the leaf comes first).
 */
function referencePath(m: number, data: readonly string[]): string[] {
  if (data.length === 1) return [];
  const k = 2 ** Math.floor(Math.log2(data.length - 1));
  return m < k
    ? [...referencePath(m, data.slice(0, k)), referenceTreeHash(data.slice(k)).toString('hex')]
    : [...referencePath(m - k, data.slice(k)), referenceTreeHash(data.slice(0, k)).toString('hex')];
}

/** The length of PATH(m, D[n]) by the same recursion (each step appends one sibling), without hashing. */
const referencePathLength = (m: number, n: number): number => {
  if (n === 1) return 0;
  const k = 2 ** Math.floor(Math.log2(n - 1));
  return 1 + (m < k ? referencePathLength(m, k) : referencePathLength(m - k, n - k));
};

/** The data of a test tree of n leaves (lines with non-ASCII, so UTF-8 matters). */
const treeData = (n: number) =>
  Array.from({ length: n }, (_, i) => `{"id":"AUDIT#${i}","note":"rad ${i} ÆØÅ"}`);

const SIZES = Array.from({ length: 33 }, (_, i) => i + 1);

/** The Certificate Transparency test vectors (RFC 6962): the leaves' data, as hex. */
const CT_INPUTS = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
];
/** RFC 6962 §2.1 leaf hash of raw bytes, written out here: SHA-256(0x00 || bytes). */
const ctLeaf = (hex: string) => sha256(Buffer.from([0x00]), Buffer.from(hex, 'hex')).toString('hex');

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

describe('rule 14: the Certificate Transparency test vectors (RFC 6962)', () => {
  const leaves = CT_INPUTS.map(ctLeaf);

  it('hashes the leaves as SHA-256 of 0x00 and the bytes, as leafHash does for a line', () => {
    expect(leaves[0]).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
    expect(leaves[1]).toBe('96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7');
    // "2021" as bytes is " !", a line leafHash can take.
    expect(leafHash(' !')).toBe(leaves[3]);
  });

  it('gives the published roots of the first 1 to 8 leaves', () => {
    const published = [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
      'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
      '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
      '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
      'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
      '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
    ];
    published.forEach((root, i) => {
      expect(merkleRoot(leaves.slice(0, i + 1)), `n = ${i + 1}`).toBe(root);
      expect(merkleTree(leaves.slice(0, i + 1)).root, `n = ${i + 1}`).toBe(root);
    });
  });

  it('gives the published audit paths, and each leads back to the published root', () => {
    const published: [index: number, size: number, path: string[], root: string][] = [
      [0, 1, [], '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d'],
      [
        0,
        8,
        [
          '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
          '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
          '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
        ],
        '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
      ],
      [
        5,
        8,
        [
          'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
          'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
          'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
        ],
        '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
      ],
      [
        2,
        3,
        ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'],
        'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
      ],
      [
        1,
        5,
        [
          '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
          '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
          'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
        ],
        '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
      ],
    ];
    for (const [index, size, path, root] of published) {
      expect(merkleTree(leaves.slice(0, size)).proofs[index], `${index} of ${size}`).toEqual(path);
      expect(rootFromProof(leaves[index]!, index, size, path), `${index} of ${size}`).toBe(root);
    }
  });
});

describe('rule 14: audit paths (RFC 6962 §2.1.1, RFC 9162 §2.1.3.2)', () => {
  it('builds the same root as merkleRoot and the reference tree hash, for 1 to 33 leaves', () => {
    for (const n of SIZES) {
      const data = treeData(n);
      const { root, proofs } = merkleTree(data.map(leafHash));
      expect(root, `n = ${n}`).toBe(merkleRoot(data.map(leafHash)));
      expect(root, `n = ${n}`).toBe(referenceTreeHash(data).toString('hex'));
      expect(proofs, `n = ${n}`).toHaveLength(n);
    }
  });

  it('gives every leaf of trees of 1 to 33 leaves the PATH of RFC 6962 §2.1.1', () => {
    for (const n of SIZES) {
      const data = treeData(n);
      const { proofs } = merkleTree(data.map(leafHash));
      for (let m = 0; m < n; m++) expect(proofs[m], `${m} of ${n}`).toEqual(referencePath(m, data));
    }
    // The shape, spelled out for 5 leaves (split 4 + 1): leaf 4 has only the left subtree as sibling.
    const data = treeData(5);
    expect(merkleTree(data.map(leafHash)).proofs.map((proof) => proof.length)).toEqual([3, 3, 3, 3, 1]);
    expect(merkleTree(data.map(leafHash)).proofs[4]).toEqual([
      referenceTreeHash(data.slice(0, 4)).toString('hex'),
    ]);
  });

  it('counts the length of PATH(m, D[n]) as the reference path has it', () => {
    for (const n of SIZES) {
      const data = treeData(n);
      for (let m = 0; m < n; m++) expect(referencePathLength(m, n)).toBe(referencePath(m, data).length);
    }
  });

  it('leads every leaf of trees of 1 to 33 leaves back to the root', () => {
    for (const n of SIZES) {
      const leaves = treeData(n).map(leafHash);
      const { root, proofs } = merkleTree(leaves);
      for (let m = 0; m < n; m++) {
        expect(rootFromProof(leaves[m]!, m, n, proofs[m]!), `${m} of ${n}`).toBe(root);
      }
    }
  });

  it('has no root for an index outside the tree, or an index or size that is not an integer', () => {
    const leaves = treeData(6).map(leafHash);
    const { root, proofs } = merkleTree(leaves);
    expect(rootFromProof(leaves[2]!, 2, 6, proofs[2]!)).toBe(root);
    expect(rootFromProof(leaves[0]!, -1, 6, proofs[0]!)).toBeUndefined();
    expect(rootFromProof(leaves[5]!, 6, 6, proofs[5]!)).toBeUndefined();
    expect(rootFromProof(leaves[5]!, 7, 6, proofs[5]!)).toBeUndefined();
    expect(rootFromProof(leaves[0]!, 0, 0, [])).toBeUndefined();
    expect(rootFromProof(leaves[2]!, 2.5, 6, proofs[2]!)).toBeUndefined();
    expect(rootFromProof(leaves[2]!, Number.NaN, 6, proofs[2]!)).toBeUndefined();
    expect(rootFromProof(leaves[2]!, 2, 6.5, proofs[2]!)).toBeUndefined();
    expect(rootFromProof(leaves[2]!, 2, Number.POSITIVE_INFINITY, proofs[2]!)).toBeUndefined();
    expect(rootFromProof(leaves[2]!, 2, 2 ** 53, proofs[2]!)).toBeUndefined();
  });

  it('has no root for a path one sibling too short or too long, for every leaf of 1 to 33 leaves', () => {
    const extra = leafHash('extra');
    for (const n of SIZES) {
      const leaves = treeData(n).map(leafHash);
      const { root, proofs } = merkleTree(leaves);
      for (let m = 0; m < n; m++) {
        const proof = proofs[m]!;
        expect(rootFromProof(leaves[m]!, m, n, [...proof, extra]), `${m} of ${n} + 1`).toBeUndefined();
        expect(rootFromProof(leaves[m]!, m, n, [...proof, root]), `${m} of ${n} + root`).toBeUndefined();
        expect(rootFromProof(leaves[m]!, m, n, [extra, ...proof]), `${m} of ${n}, 1 +`).toBeUndefined();
        if (proof.length > 0) {
          expect(rootFromProof(leaves[m]!, m, n, proof.slice(0, -1)), `${m} of ${n} - 1`).toBeUndefined();
          expect(rootFromProof(leaves[m]!, m, n, proof.slice(1)), `${m} of ${n}, - 1`).toBeUndefined();
        }
      }
    }
  });

  it('has no root for a sibling that is not 64 lower-case hex digits', () => {
    const leaves = treeData(4).map(leafHash);
    const { proofs } = merkleTree(leaves);
    const [first, second] = proofs[1]! as [string, string];
    for (const bad of [first.toUpperCase(), first.slice(2), `${first}00`, `zz${first.slice(2)}`, '']) {
      expect(rootFromProof(leaves[1]!, 1, 4, [bad, second]), JSON.stringify(bad)).toBeUndefined();
      expect(rootFromProof(leaves[1]!, 1, 4, [first, bad]), JSON.stringify(bad)).toBeUndefined();
    }
  });

  it('has no root for a leaf that is not 64 lower-case hex digits, even in a tree of one', () => {
    const leaves = treeData(4).map(leafHash);
    const { proofs } = merkleTree(leaves);
    for (const bad of [leaves[1]!.toUpperCase(), leaves[1]!.slice(2), 'zz', '']) {
      expect(rootFromProof(bad, 1, 4, proofs[1]!), JSON.stringify(bad)).toBeUndefined();
      expect(rootFromProof(bad, 0, 1, []), JSON.stringify(bad)).toBeUndefined();
    }
  });

  it('leads to another root when a sibling is changed, for every sibling of every leaf of 1 to 33 leaves', () => {
    const changed = leafHash('changed');
    for (const n of SIZES) {
      const leaves = treeData(n).map(leafHash);
      const { root, proofs } = merkleTree(leaves);
      for (let m = 0; m < n; m++) {
        proofs[m]!.forEach((_, j) => {
          const proof = proofs[m]!.with(j, changed);
          const other = rootFromProof(leaves[m]!, m, n, proof);
          expect(other, `${m} of ${n}, sibling ${j}`).toMatch(/^[0-9a-f]{64}$/);
          expect(other, `${m} of ${n}, sibling ${j}`).not.toBe(root);
        });
        // The nearest sibling is the neighbouring leaf when there is one: the path then leads to the
        // root of the tree with that leaf replaced.
        if ((m ^ 1) < n) {
          expect(rootFromProof(leaves[m]!, m, n, proofs[m]!.with(0, changed)), `${m} of ${n}`).toBe(
            merkleRoot(leaves.with(m ^ 1, changed)),
          );
        }
      }
    }
  });

  it('leads to another root, or none, from another index of the same tree', () => {
    for (const n of SIZES) {
      const leaves = treeData(n).map(leafHash);
      const { root, proofs } = merkleTree(leaves);
      for (let m = 0; m < n; m++) {
        for (let other = 0; other < n; other++) {
          if (other === m) continue;
          const result = rootFromProof(leaves[m]!, other, n, proofs[m]!);
          expect(result === undefined || result !== root, `${m} as ${other} of ${n}`).toBe(true);
        }
        // The leaves of a pair swapped: each leaf at the other's index.
        const swapped = m ^ 1;
        if (swapped < n && n > 1) {
          const result = rootFromProof(leaves[m]!, swapped, n, proofs[m]!);
          expect(result, `${m} as ${swapped} of ${n}`).toMatch(/^[0-9a-f]{64}$/);
          expect(result, `${m} as ${swapped} of ${n}`).not.toBe(root);
        }
      }
    }
  });

  it('leads to the same root, or none, under another size: the size is bound by the signed run, not the path', () => {
    // RFC 9162's algorithm reads only the left/right turns of a path from the index and size; sizes
    // whose tree gives the leaf a path of the same length give the same turns, so a path cannot tell
    // them apart (5 and 8 leaves, leaf 0: three right turns). Any other size has no root.
    const leaves = treeData(5).map(leafHash);
    const { root, proofs } = merkleTree(leaves);
    expect(
      [1, 2, 3, 4, 6, 7, 8, 9, 16].map((size) => rootFromProof(leaves[0]!, 0, size, proofs[0]!)),
    ).toEqual([undefined, undefined, undefined, undefined, root, root, root, undefined, undefined]);
    expect([4, 6, 8, 9].map((size) => rootFromProof(leaves[4]!, 4, size, proofs[4]!))).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    for (const n of SIZES) {
      const data = treeData(n);
      const { root: nRoot, proofs: nProofs } = merkleTree(data.map(leafHash));
      for (let m = 0; m < n; m++) {
        for (let size = m + 1; size <= 70; size++) {
          if (size === n) continue;
          const samePathLength = referencePathLength(m, size) === nProofs[m]!.length;
          expect(rootFromProof(leafHash(data[m]!), m, size, nProofs[m]!), `${m} of ${n} as of ${size}`).toBe(
            samePathLength ? nRoot : undefined,
          );
        }
      }
    }
  });

  it('refuses to build a tree of no leaves or of a leaf that is not a hex SHA-256', () => {
    expect(() => merkleTree([])).toThrow(/at least one leaf/);
    expect(() => merkleTree([leafHash('a'), 'abc'])).toThrow(/Not a leaf hash/);
  });

  it('gives a tree of one leaf the leaf as root and an empty path', () => {
    const leaf = leafHash('a');
    expect(merkleTree([leaf])).toEqual({ root: leaf, proofs: [[]] });
    expect(rootFromProof(leaf, 0, 1, [])).toBe(leaf);
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
  const first = () => sealBody('agr-1', 1, '2026-03-02T02:00:00.000Z', entries, undefined);
  /** The RFC 8785 form of the first seal's body, written out: keys sorted, no spaces. */
  const firstJcs =
    '{"agreementId":"agr-1","format":"dpa-seal/2","previous":null,' +
    `"root":"${merkleRoot(entries.map(({ leaf }) => leaf))}","sealedAt":"2026-03-02T02:00:00.000Z","seq":1,"size":2}`;

  it('names no previous seal for seal 1, and covers its entries by size and root', () => {
    expect(first()).toEqual({
      format: 'dpa-seal/2',
      agreementId: 'agr-1',
      seq: 1,
      sealedAt: '2026-03-02T02:00:00.000Z',
      size: 2,
      root: 'b137985ff484fb600db93107c77b0365c80d78f5b429ded0fd97361d077999eb',
      previous: null,
    });
    expect(SEAL_FORMAT).toBe('dpa-seal/2');
  });

  it('digests a body as the SHA-256 of its RFC 8785 form, and makes its leaf with 0x00 before it', () => {
    expect(sealDigest(first())).toBe(sha256(firstJcs).toString('hex'));
    expect(sealLeaf(first())).toBe(sha256(Buffer.from([0x00]), firstJcs).toString('hex'));
    expect(sealLeaf(first())).toBe(leafHash(firstJcs));
    // The key order of the object does not matter; every field does.
    const reordered = Object.fromEntries(Object.entries(first()).reverse()) as unknown as SealBody;
    expect(sealDigest(reordered)).toBe(sealDigest(first()));
    expect(sealDigest({ ...first(), size: 3 })).not.toBe(sealDigest(first()));
  });

  it('chains a later seal to the SHA-256 of the RFC 8785 form of the previous body', () => {
    const second = sealBody('agr-1', 2, '2026-03-03T02:00:00.000Z', entries.slice(0, 1), first());
    expect(second).toEqual({
      format: 'dpa-seal/2',
      agreementId: 'agr-1',
      seq: 2,
      sealedAt: '2026-03-03T02:00:00.000Z',
      size: 1,
      root: entries[0]!.leaf,
      previous: sha256(firstJcs).toString('hex'),
    });
    const third = sealBody('agr-1', 3, '2026-03-04T02:00:00.000Z', entries, second);
    expect(third.previous).toBe(sealDigest(second));
    expect(third.previous).not.toBe(sealDigest(first()));
    // A previous body changed in any field is another link.
    const rewritten = { ...second, sealedAt: '2026-03-03T02:00:00.001Z' };
    expect(sealBody('agr-1', 3, '2026-03-04T02:00:00.000Z', entries, rewritten).previous).not.toBe(
      third.previous,
    );
  });

  it('refuses a seal 1 with a previous seal, a later seal without one, a previous of another number and an empty seal', () => {
    const second = sealBody('agr-1', 2, 't2', entries, first());
    expect(() => sealBody('agr-1', 1, 't', entries, first())).toThrow('Seal 1 has no previous seal');
    expect(() => sealBody('agr-1', 2, 't', entries, undefined)).toThrow('Seal 2 needs the previous seal');
    expect(() => sealBody('agr-1', 3, 't', entries, first())).toThrow('Seal 3 follows 1');
    expect(() => sealBody('agr-1', 2, 't', entries, second)).toThrow('Seal 2 follows 2');
    expect(() => sealBody('agr-1', 4, 't', entries, second)).toThrow('Seal 4 follows 2');
    expect(() => sealBody('agr-1', 0, 't', entries, undefined)).toThrow('A seal number starts at 1: 0');
    expect(() => sealBody('agr-1', 1.5, 't', entries, first())).toThrow('A seal number starts at 1: 1.5');
    expect(() => sealBody('agr-1', 1, 't', [], undefined)).toThrow(/at least one leaf/);
  });

  it('reads a compact JWS payload back as JSON', () => {
    const payload = Buffer.from('{"seq":3,"root":"ø"}').toString('base64url');
    expect(decodeJwsPayload(`e30.${payload}.c2ln`)).toEqual({ seq: 3, root: 'ø' });
    expect(() => decodeJwsPayload('e30.e30')).toThrow(/compact JWS/);
  });
});

describe('rule 14: the seal run', () => {
  const at = '2026-03-02T02:00:00.000Z';
  const bodyOf = (agreementId: string, sealedAt = at) =>
    sealBody(
      agreementId,
      1,
      sealedAt,
      [{ id: `HISTORY#${agreementId}`, leaf: leafHash(agreementId) }],
      undefined,
    );

  it('signs the root of the leaves of the bodies it made, in the order given, with their number', () => {
    const bodies = ['agr-1', 'agr-2', 'agr-3', 'agr-4', 'agr-5'].map((id) => bodyOf(id));
    const run = sealRun(at, bodies);
    expect(run.body).toEqual({
      format: 'dpa-seal-run/1',
      sealedAt: at,
      size: 5,
      root: referenceTreeHash(bodies.map((body) => canonicalize(body) as string)).toString('hex'),
    });
    expect(RUN_FORMAT).toBe('dpa-seal-run/1');
    expect(run.body.root).toBe(merkleRoot(bodies.map(sealLeaf)));
    expect(sealRun(at, [...bodies].reverse()).body.root).not.toBe(run.body.root);
  });

  it('gives each seal its index and RFC 6962 path, which leads to the run’s root', () => {
    for (const n of [1, 2, 3, 5, 8, 13]) {
      const bodies = Array.from({ length: n }, (_, i) => bodyOf(`agr-${i}`));
      const run = sealRun(at, bodies);
      expect(run.body.size, `n = ${n}`).toBe(n);
      expect(run.proofs.map(({ index }) => index)).toEqual(bodies.map((_, i) => i));
      bodies.forEach((body, i) => {
        expect(run.proofs[i]!.proof, `${i} of ${n}`).toEqual(
          referencePath(
            i,
            bodies.map((b) => canonicalize(b) as string),
          ),
        );
        expect(rootFromProof(sealLeaf(body), i, n, run.proofs[i]!.proof), `${i} of ${n}`).toBe(run.body.root);
      });
    }
  });

  it('leads no other body to the run’s root', () => {
    const bodies = ['agr-1', 'agr-2', 'agr-3'].map((id) => bodyOf(id));
    const run = sealRun(at, bodies);
    const forged = { ...bodies[1]!, root: leafHash('forged') };
    expect(rootFromProof(sealLeaf(forged), 1, 3, run.proofs[1]!.proof)).not.toBe(run.body.root);
    expect(rootFromProof(sealLeaf(bodies[0]!), 1, 3, run.proofs[1]!.proof)).not.toBe(run.body.root);
  });

  it('puts a run of one at index 0 with an empty path, its root the body’s leaf', () => {
    const body = bodyOf('agr-1');
    expect(sealRun(at, [body])).toEqual({
      body: { format: 'dpa-seal-run/1', sealedAt: at, size: 1, root: sealLeaf(body) },
      proofs: [{ index: 0, proof: [] }],
    });
    expect(rootFromProof(sealLeaf(body), 0, 1, [])).toBe(sealLeaf(body));
  });

  it('refuses a body made at another time, and a run of no seals', () => {
    expect(() => sealRun(at, [bodyOf('agr-1'), bodyOf('agr-2', '2026-03-02T02:00:00.001Z')])).toThrow(
      'Seal agr-2/1 is not of this run',
    );
    expect(() => sealRun(at, [bodyOf('agr-1', '2026-03-01T02:00:00.000Z')])).toThrow(
      'Seal agr-1/1 is not of this run',
    );
    expect(() => sealRun(at, [])).toThrow(/at least one leaf/);
  });
});
