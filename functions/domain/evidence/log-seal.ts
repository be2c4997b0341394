import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/**
 * Rule 14, the tamper-evident log: every history and audit entry becomes one line (its RFC 8785 form),
 * each line a leaf of an RFC 6962 Merkle tree (Certificate Transparency's). A seal holds the root of
 * the leaves it covers and the hash of the agreement's seal before it; a seal run puts the seals it
 * made (of any number of agreements) as leaves of one more tree and signs that root once. Changing,
 * removing, inserting or reordering a sealed entry changes a leaf or a root; dropping or rewriting a
 * seal breaks the chain; a seal not in its run's signed tree has no valid audit path.
 * docs/evidence-format.md is the reference; verifier/ checks the same independently.
 */

export type LogName = 'history' | 'audit';

/** The entry's place in its log (its sort key, e.g. `HISTORY#2026-03-01T10:00:00.000Z#0#k3j2`) and its leaf. */
export interface SealedEntry {
  id: string;
  leaf: string;
}

/**
 * A seal of an agreement's entries: the root of their leaves, chained to the agreement's seal before it
 * by the hash of that seal's body. Not signed by itself: the bodies of every agreement sealed in one run
 * are the leaves of the run's tree, and the run's root is what the service signs (a compact JWS, ES256,
 * whose payload is the RFC 8785 form of a {@link RunBody}).
 */
export interface SealBody {
  format: 'dpa-seal/2';
  agreementId: string;
  seq: number;
  sealedAt: string;
  size: number;
  root: string;
  previous: string | null;
}

/** What a seal run signs: the root of the leaves of the seals it made (the RFC 8785 form of each body). */
export interface RunBody {
  format: 'dpa-seal-run/1';
  sealedAt: string;
  size: number;
  root: string;
}

/** Where a seal is in its run's tree, and the run's signed root: what links the seal to a signature. */
export interface RunProof {
  jws: string;
  index: number;
  /** RFC 6962 §2.1.1 audit path of the seal's leaf, from the leaf up (hex). */
  proof: string[];
}

/** A seal as carried in an evidence pack: its body, the entries it covers in order, and its run. */
export interface SealRecord {
  body: SealBody;
  entries: SealedEntry[];
  run: RunProof;
}

export const SEAL_FORMAT = 'dpa-seal/2';
export const RUN_FORMAT = 'dpa-seal-run/1';
/** The `typ` header of a seal run's JWS. */
export const RUN_JWS_TYPE = 'dpa-seal-run+jws';

const sha256 = (...parts: Uint8Array[]) => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);
const HEX_DIGEST = /^[0-9a-f]{64}$/;

/** Which log an entry belongs to, from its id. */
export function logOf(id: string): LogName {
  if (id.startsWith('HISTORY#')) return 'history';
  if (id.startsWith('AUDIT#')) return 'audit';
  throw new Error(`Not a history or audit entry id: ${id}`);
}

/**
 * An entry's line in its log: the RFC 8785 (JCS) form of the entry as the API returns it, with its id.
 * An entry that carries an `id` of its own could hide which entry the line is, so that is refused.
 */
export function logLine(id: string, entry: Record<string, unknown>): string {
  logOf(id);
  if (Object.hasOwn(entry, 'id') && entry.id !== id) {
    throw new Error(`Log entry ${id} carries another id: ${String(entry.id)}`);
  }
  const line = canonicalize({ ...entry, id });
  if (line === undefined) throw new Error(`Log entry ${id} is not JSON`);
  return line;
}

/** RFC 6962 §2.1 leaf hash: hex SHA-256 of 0x00 and the line's UTF-8 bytes. */
export function leafHash(line: string): string {
  return sha256(LEAF_PREFIX, Buffer.from(line, 'utf8')).toString('hex');
}

const toLeafBuffers = (leafHashes: readonly string[]) => {
  if (leafHashes.length === 0) throw new Error('A Merkle tree needs at least one leaf');
  return leafHashes.map((leaf) => {
    if (!HEX_DIGEST.test(leaf)) throw new Error(`Not a leaf hash (64 lower-case hex digits): ${leaf}`);
    return Buffer.from(leaf, 'hex');
  });
};

/** The largest power of two smaller than n (n > 1): where RFC 6962 splits a tree of n leaves. */
const splitOf = (n: number) => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};

/**
 * RFC 6962 §2.1 Merkle Tree Hash over leaves already hashed (hex): one leaf is its own root; n > 1
 * splits at k, the largest power of two below n, and a node is SHA-256(0x01 || left || right).
 * A seal always covers at least one entry, so no leaves is an error (not RFC 6962's empty hash).
 */
export function merkleRoot(leafHashes: readonly string[]): string {
  const leaves = toLeafBuffers(leafHashes);
  const root = (from: number, to: number): Buffer => {
    if (to - from === 1) return leaves[from]!;
    const k = splitOf(to - from);
    return sha256(NODE_PREFIX, root(from, from + k), root(from + k, to));
  };
  return root(0, leaves.length).toString('hex');
}

/**
 * The root of the tree of `leafHashes` and every leaf's RFC 6962 §2.1.1 audit path (leaf up), in
 * one pass: each subtree's root is hashed once, and the sibling of a subtree is appended to the
 * paths of all its leaves as the recursion returns (so deeper siblings come first).
 */
export function merkleTree(leafHashes: readonly string[]): { root: string; proofs: string[][] } {
  const leaves = toLeafBuffers(leafHashes);
  const proofs: string[][] = leaves.map(() => []);
  const build = (from: number, to: number): Buffer => {
    if (to - from === 1) return leaves[from]!;
    const k = splitOf(to - from);
    const left = build(from, from + k);
    const right = build(from + k, to);
    const rightHex = right.toString('hex');
    const leftHex = left.toString('hex');
    for (let index = from; index < from + k; index++) proofs[index]!.push(rightHex);
    for (let index = from + k; index < to; index++) proofs[index]!.push(leftHex);
    return sha256(NODE_PREFIX, left, right);
  };
  return { root: build(0, leaves.length).toString('hex'), proofs };
}

/**
 * RFC 9162 §2.1.3.2: the root that an audit path leads to from leaf `index` of a tree of `size`
 * leaves, or undefined when the path cannot belong to such a tree (too long or too short).
 */
export function rootFromProof(
  leaf: string,
  index: number,
  size: number,
  proof: readonly string[],
): string | undefined {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size)
    return undefined;
  if (!HEX_DIGEST.test(leaf)) return undefined;
  let fn = index;
  let sn = size - 1;
  let node = Buffer.from(leaf, 'hex');
  for (const sibling of proof) {
    if (!HEX_DIGEST.test(sibling) || sn === 0) return undefined;
    const other = Buffer.from(sibling, 'hex');
    if (fn % 2 === 1 || fn === sn) {
      node = sha256(NODE_PREFIX, other, node);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      node = sha256(NODE_PREFIX, node, other);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? node.toString('hex') : undefined;
}

/** A seal body's leaf in its run's tree: RFC 6962's leaf hash of its RFC 8785 form. */
export const sealLeaf = (body: SealBody) => leafHash(canonicalize(body) as string);

/** Hex SHA-256 of a seal body's RFC 8785 form: how the next seal of the agreement names it. */
export function sealDigest(body: SealBody): string {
  return createHash('sha256')
    .update(canonicalize(body) as string, 'utf8')
    .digest('hex');
}

/**
 * The body of seal `seq` of an agreement: the root of `entries` in the order listed, chained to the
 * previous seal by the hash of its body (none for the first).
 */
export function sealBody(
  agreementId: string,
  seq: number,
  sealedAt: string,
  entries: readonly SealedEntry[],
  previous: SealBody | undefined,
): SealBody {
  if (!Number.isInteger(seq) || seq < 1) throw new Error(`A seal number starts at 1: ${seq}`);
  if ((seq === 1) !== (previous === undefined)) {
    throw new Error(`Seal ${seq} ${seq === 1 ? 'has no previous seal' : 'needs the previous seal'}`);
  }
  if (previous && previous.seq !== seq - 1) throw new Error(`Seal ${seq} follows ${previous.seq}`);
  return {
    format: SEAL_FORMAT,
    agreementId,
    seq,
    sealedAt,
    size: entries.length,
    root: merkleRoot(entries.map(({ leaf }) => leaf)),
    previous: previous === undefined ? null : sealDigest(previous),
  };
}

/**
 * A seal run over `bodies` (all made at `sealedAt`): the run's body to sign, and each seal's place
 * in its tree. The caller signs the body once and gives every seal the same JWS.
 */
export function sealRun(
  sealedAt: string,
  bodies: readonly SealBody[],
): { body: RunBody; proofs: Omit<RunProof, 'jws'>[] } {
  for (const body of bodies) {
    if (body.sealedAt !== sealedAt)
      throw new Error(`Seal ${body.agreementId}/${body.seq} is not of this run`);
  }
  const { root, proofs } = merkleTree(bodies.map(sealLeaf));
  return {
    body: { format: RUN_FORMAT, sealedAt, size: bodies.length, root },
    proofs: proofs.map((proof, index) => ({ index, proof })),
  };
}

/** The payload of a compact JWS, parsed as JSON (no signature check: verifiers do that). */
export function decodeJwsPayload(jws: string): unknown {
  const parts = jws.split('.');
  if (parts.length !== 3) throw new Error('Not a compact JWS (three parts separated by dots)');
  return JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
}
