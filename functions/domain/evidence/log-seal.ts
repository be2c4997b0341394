import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/**
 * Rule 14, the tamper-evident log: every history and audit entry becomes one line (its RFC 8785 form),
 * each line a leaf of an RFC 6962 Merkle tree (Certificate Transparency's), and a seal signs the root of
 * the leaves it covers and the hash of the seal before it. Changing, removing, inserting or reordering
 * a sealed entry changes a leaf or the root; dropping or rewriting a seal breaks the chain.
 * docs/evidence-format.md is the reference; verifier/ checks the same independently.
 */

export type LogName = 'history' | 'audit';

/** The entry's place in its log (its sort key, e.g. `HISTORY#2026-03-01T10:00:00.000Z#0#k3j2`) and its leaf. */
export interface SealedEntry {
  id: string;
  leaf: string;
}

/** What a seal signs: a compact JWS (ES256) whose payload is the RFC 8785 form of this. */
export interface SealBody {
  format: 'dpa-seal/1';
  agreementId: string;
  seq: number;
  sealedAt: string;
  size: number;
  root: string;
  previous: string | null;
}

/** A seal as carried in an evidence pack: its compact JWS and the entries it covers, in order. */
export interface SealRecord {
  jws: string;
  entries: SealedEntry[];
}

export const SEAL_FORMAT = 'dpa-seal/1';
/** The `typ` header of a seal's JWS. */
export const SEAL_JWS_TYPE = 'dpa-seal+jws';

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

/**
 * RFC 6962 §2.1 Merkle Tree Hash over leaves already hashed (hex): one leaf is its own root; n > 1
 * splits at k, the largest power of two below n, and a node is SHA-256(0x01 || left || right).
 * A seal always covers at least one entry, so no leaves is an error (not RFC 6962's empty hash).
 */
export function merkleRoot(leafHashes: readonly string[]): string {
  if (leafHashes.length === 0) throw new Error('A Merkle tree needs at least one leaf');
  const leaves = leafHashes.map((leaf) => {
    if (!HEX_DIGEST.test(leaf)) throw new Error(`Not a leaf hash (64 lower-case hex digits): ${leaf}`);
    return Buffer.from(leaf, 'hex');
  });
  const root = (from: number, to: number): Buffer => {
    const n = to - from;
    if (n === 1) return leaves[from]!;
    let k = 1;
    while (k * 2 < n) k *= 2;
    return sha256(NODE_PREFIX, root(from, from + k), root(from + k, to));
  };
  return root(0, leaves.length).toString('hex');
}

/** Hex SHA-256 of a seal's compact JWS (ASCII): how the next seal names it. */
export function sealDigest(jws: string): string {
  return createHash('sha256').update(jws, 'ascii').digest('hex');
}

/**
 * The body of seal `seq` of an agreement: the root of `entries` in the order listed, chained to the
 * previous seal by the hash of its JWS (none for the first).
 */
export function sealBody(
  agreementId: string,
  seq: number,
  sealedAt: string,
  entries: readonly SealedEntry[],
  previousJws: string | undefined,
): SealBody {
  if (!Number.isInteger(seq) || seq < 1) throw new Error(`A seal number starts at 1: ${seq}`);
  if ((seq === 1) !== (previousJws === undefined)) {
    throw new Error(`Seal ${seq} ${seq === 1 ? 'has no previous seal' : 'needs the previous seal'}`);
  }
  return {
    format: SEAL_FORMAT,
    agreementId,
    seq,
    sealedAt,
    size: entries.length,
    root: merkleRoot(entries.map(({ leaf }) => leaf)),
    previous: previousJws === undefined ? null : sealDigest(previousJws),
  };
}

/** The payload of a compact JWS, parsed as JSON (no signature check: verifiers do that). */
export function decodeJwsPayload(jws: string): unknown {
  const parts = jws.split('.');
  if (parts.length !== 3) throw new Error('Not a compact JWS (three parts separated by dots)');
  return JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
}
