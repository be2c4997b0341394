// @ts-check
import { createHash, createPublicKey, verify } from 'node:crypto';
import { canonicalize, isCanonicalJson } from './canonical-json.mjs';
import { readZip, ZipError } from './zip-reader.mjs';

/**
 * The checks of an evidence pack (docs/evidence-format.md, "Checks"), in that order, stopping at the
 * first failure. Written apart from the service's code on purpose: it reads the format, not our
 * implementation of it.
 */

export const EVIDENCE_FORMAT = 'dpa-evidence/2';
export const SEAL_FORMAT = 'dpa-seal/2';
export const RUN_FORMAT = 'dpa-seal-run/1';
export const MANIFEST_TYPE = 'dpa-manifest+jws';
export const RUN_TYPE = 'dpa-seal-run+jws';
/** The history entry type that records a version of Vedlegg 3. */
export const APPENDIX_VERSION_ENTRY = 'APPENDIX_3_VERSION';
/** No writer of the service runs longer than this (Lambda's own limit): see "Backdating" in the format. */
export const LONGEST_WRITE_MS = 15 * 60 * 1000;

/** A check that failed: where (a file, a line, an entry) and why. */
export class VerificationFailure extends Error {
  /**
   * @param {string} where
   * @param {string} why
   */
  constructor(where, why) {
    super(`${where}: ${why}`);
    this.where = where;
    this.why = why;
  }
}

/**
 * @typedef {{ keys: Map<string, import('node:crypto').KeyObject>, pinned: boolean, source: string }} KeySet
 * @typedef {{ seq: number, sealedAt: string, size: number, root: string, kid: string }} SealSummary
 * @typedef {{
 *   agreementId: string, exportedAt: string, versions: number, signatures: number,
 *   seals: SealSummary[], history: number, audit: number, appendixVersions: number, amendments: number,
 *   manifestKid: string,
 *   keys: string, pinned: boolean
 * }} Summary
 */

const HEX_DIGEST = /^[0-9a-f]{64}$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** @param {Uint8Array | string} data */
export const sha256Hex = (data) => createHash('sha256').update(data).digest('hex');

/** RFC 6962 §2.1 leaf hash of a log line: SHA-256(0x00 || UTF-8 bytes), hex. @param {string} line */
export const leafHashOf = (line) =>
  createHash('sha256').update(Uint8Array.of(0)).update(line, 'utf8').digest('hex');

/**
 * RFC 6962 §2.1 Merkle Tree Hash of leaf hashes (hex): split at the largest power of two below n,
 * a node is SHA-256(0x01 || left || right).
 * @param {readonly string[]} leaves
 * @returns {string}
 */
export function merkleRootOf(leaves) {
  if (leaves.length === 0) throw new Error('no leaves');
  /** @type {(from: number, to: number) => Buffer} */
  const root = (from, to) => {
    if (to - from === 1) return Buffer.from(/** @type {string} */ (leaves[from]), 'hex');
    let k = 1;
    while (k * 2 < to - from) k *= 2;
    return createHash('sha256')
      .update(Uint8Array.of(1))
      .update(root(from, from + k))
      .update(root(from + k, to))
      .digest();
  };
  return root(0, leaves.length).toString('hex');
}

/**
 * RFC 7638 thumbprint of an EC public key: SHA-256 of its required members, in order, no spaces.
 * @param {{ crv: string, x: string, y: string }} jwk
 */
export function thumbprintOf(jwk) {
  const members = `{"crv":${JSON.stringify(jwk.crv)},"kty":"EC","x":${JSON.stringify(jwk.x)},"y":${JSON.stringify(jwk.y)}}`;
  return createHash('sha256').update(members, 'utf8').digest('base64url');
}

/**
 * The ES256 keys of a JWKS, by RFC 7638 thumbprint (which a key's `kid` must equal).
 * @param {unknown} jwks
 * @param {string} source
 * @param {boolean} pinned
 * @param {string[]} warnings
 * @returns {KeySet}
 */
export function keySetOf(jwks, source, pinned, warnings) {
  const list =
    isObject(jwks) && Array.isArray(jwks.keys) ? jwks.keys : isObject(jwks) && jwks.kty ? [jwks] : null;
  if (!list) throw new VerificationFailure(source, 'not a JWKS (an object with a "keys" array)');
  /** @type {Map<string, import('node:crypto').KeyObject>} */
  const keys = new Map();
  for (const jwk of list) {
    if (!isObject(jwk) || jwk.kty !== 'EC' || jwk.crv !== 'P-256') continue;
    if (typeof jwk.x !== 'string' || typeof jwk.y !== 'string') continue;
    if (jwk.alg !== undefined && jwk.alg !== 'ES256') continue;
    const kid = thumbprintOf({ crv: jwk.crv, x: jwk.x, y: jwk.y });
    if (jwk.kid !== undefined && jwk.kid !== kid) {
      warnings.push(
        `${source}: key ${String(jwk.kid)} ignored: its kid is not its RFC 7638 thumbprint (${kid})`,
      );
      continue;
    }
    try {
      keys.set(kid, createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }, format: 'jwk' }));
    } catch {
      warnings.push(`${source}: key ${kid} ignored: not a valid P-256 public key`);
    }
  }
  if (keys.size === 0) throw new VerificationFailure(source, 'holds no EC P-256 (ES256) public key');
  return { keys, pinned, source };
}

/**
 * Verifies a compact JWS (ES256) with a key of `keySet` by its `kid`; returns its payload bytes.
 * @param {string} jws
 * @param {string} typ
 * @param {KeySet} keySet
 * @param {string} where
 * @returns {{ payload: Buffer, kid: string }}
 */
export function verifyJws(jws, typ, keySet, where) {
  const parts = jws.split('.');
  if (parts.length !== 3)
    throw new VerificationFailure(where, 'not a compact JWS (three parts separated by dots)');
  const [header64, payload64, signature64] = /** @type {[string, string, string]} */ (parts);
  const header = parseJson(
    decodeBase64url(header64, where, 'header').toString('utf8'),
    where,
    'the JWS header',
  );
  if (!isObject(header)) throw new VerificationFailure(where, 'the JWS header is not a JSON object');
  if (header.alg !== 'ES256')
    throw new VerificationFailure(where, `alg is ${JSON.stringify(header.alg)}, not "ES256"`);
  if (header.typ !== typ)
    throw new VerificationFailure(where, `typ is ${JSON.stringify(header.typ)}, not "${typ}"`);
  if (header.crit !== undefined)
    throw new VerificationFailure(where, 'the JWS has critical header parameters');
  if (typeof header.kid !== 'string') throw new VerificationFailure(where, 'the JWS header has no kid');
  const key = keySet.keys.get(header.kid);
  if (!key) {
    throw new VerificationFailure(
      where,
      `signed with key ${header.kid}, which is not among the ${keySet.pinned ? 'pinned keys' : 'keys'} (${keySet.source})`,
    );
  }
  const payload = decodeBase64url(payload64, where, 'payload');
  const signature = decodeBase64url(signature64, where, 'signature');
  if (signature.length !== 64)
    throw new VerificationFailure(where, 'an ES256 signature is 64 bytes (r || s)');
  const input = Buffer.from(`${header64}.${payload64}`, 'ascii');
  if (!verify('sha256', input, { key, dsaEncoding: 'ieee-p1363' }, signature)) {
    throw new VerificationFailure(where, `the signature does not verify with key ${header.kid}`);
  }
  return { payload, kid: header.kid };
}

/**
 * Verifies an evidence pack. Throws a VerificationFailure at the first check that fails.
 * @param {Uint8Array} zipBytes
 * @param {{ jwks?: unknown, jwksSource?: string }} [options] `jwks`: the pinned keys
 * @returns {{ summary: Summary, warnings: string[] }}
 */
export function verifyPack(zipBytes, options = {}) {
  /** @type {string[]} */
  const warnings = [];

  // Checks 1 and 2: the archive and its manifest.
  let files;
  try {
    files = readZip(zipBytes);
  } catch (error) {
    if (error instanceof ZipError) throw new VerificationFailure('zip', error.message);
    throw error;
  }
  for (const name of ['manifest.json', 'manifest.jws']) {
    if (!files.has(name)) throw new VerificationFailure(name, 'missing from the pack');
  }
  const manifestBytes = /** @type {Uint8Array} */ (files.get('manifest.json'));

  // Checks 3 and 4: the keys and the manifest's signature.
  /** @type {KeySet} */
  let keySet;
  if (options.jwks !== undefined) {
    keySet = keySetOf(options.jwks, options.jwksSource ?? '--jwks', true, warnings);
  } else {
    const packKeys = files.get('keys/jwks.json');
    if (!packKeys)
      throw new VerificationFailure('keys/jwks.json', 'missing from the pack (and no --jwks given)');
    keySet = keySetOf(
      parseJson(text(packKeys, 'keys/jwks.json'), 'keys/jwks.json'),
      'keys/jwks.json',
      false,
      warnings,
    );
    warnings.push(
      "the keys were not pinned: they come from the pack's own keys/jwks.json, which whoever made the pack chose. " +
        "Pass --jwks with the service's published keys (/.well-known/jwks.json) to know who signed it.",
    );
  }

  const manifestJws = text(/** @type {Uint8Array} */ (files.get('manifest.jws')), 'manifest.jws');
  const signedManifest = verifyJws(manifestJws, MANIFEST_TYPE, keySet, 'manifest.jws');
  if (!signedManifest.payload.equals(manifestBytes)) {
    throw new VerificationFailure(
      'manifest.json',
      'is not the payload signed in manifest.jws (changed after signing)',
    );
  }
  // Check 5.
  const manifest = manifestOf(parseJson(text(manifestBytes, 'manifest.json'), 'manifest.json'));

  // Check 6: every file as listed, and nothing else.
  const listed = new Set(['manifest.json', 'manifest.jws']);
  for (const file of manifest.files) {
    const bytes = files.get(file.path);
    if (!bytes) throw new VerificationFailure(file.path, 'listed in the manifest but missing from the pack');
    if (bytes.length !== file.size) {
      throw new VerificationFailure(
        file.path,
        `${bytes.length} bytes, the manifest says ${file.size} (changed)`,
      );
    }
    if (sha256Hex(bytes) !== file.sha256) {
      throw new VerificationFailure(file.path, 'its SHA-256 is not the one in the manifest (changed)');
    }
    listed.add(file.path);
  }
  for (const name of files.keys()) {
    if (!listed.has(name)) throw new VerificationFailure(name, 'unexpected file: not in the manifest');
  }
  /** @param {string} path */
  const required = (path) => {
    const bytes = files.get(path);
    if (!bytes) throw new VerificationFailure(path, 'missing from the pack');
    return bytes;
  };

  // Check 7.
  const agreement = parseJson(text(required('agreement.json'), 'agreement.json'), 'agreement.json');
  if (!isObject(agreement) || agreement.id !== manifest.agreementId) {
    throw new VerificationFailure('agreement.json', `is not the record of agreement ${manifest.agreementId}`);
  }
  required('keys/jwks.json');

  // Check 8: content versions and their signatures.
  const { versions, signatures } = checkVersions(files, warnings);

  // Check 9: the seals: each in its run's signed tree, numbered, chained, each root the root of its
  // leaves, as the manifest lists.
  const seals = checkSeals(files, manifest, keySet);

  // Check 10: the logs against the seals.
  const counts = checkLogs(files, seals);

  // Check 11: every version of Vedlegg 3 as its sealed history entry records it.
  const appendixVersions = checkAppendix(files);

  // Check 12: amendments, signed for the content they made.
  const amendments = checkAmendments(files);

  return {
    summary: {
      agreementId: manifest.agreementId,
      exportedAt: manifest.exportedAt,
      versions,
      signatures,
      seals: seals.map(({ seq, sealedAt, size, root, kid }) => ({ seq, sealedAt, size, root, kid })),
      history: counts.history,
      audit: counts.audit,
      appendixVersions,
      amendments,
      manifestKid: signedManifest.kid,
      keys: keySet.source,
      pinned: keySet.pinned,
    },
    warnings,
  };
}

/**
 * @param {unknown} value
 * @returns {{ agreementId: string, exportedAt: string, files: { path: string, sha256: string, size: number }[], seals: { seq: number, root: string, size: number }[] }}
 */
function manifestOf(value) {
  const where = 'manifest.json';
  if (!isObject(value)) throw new VerificationFailure(where, 'is not a JSON object');
  if (value.format === 'dpa-evidence/1') {
    throw new VerificationFailure(
      where,
      `format is "dpa-evidence/1", an earlier format whose seals were signed one by one; this verifier reads "${EVIDENCE_FORMAT}" only`,
    );
  }
  if (value.format !== EVIDENCE_FORMAT) {
    throw new VerificationFailure(
      where,
      `format is ${JSON.stringify(value.format)}, not "${EVIDENCE_FORMAT}"`,
    );
  }
  if (typeof value.agreementId !== 'string' || value.agreementId === '') {
    throw new VerificationFailure(where, 'has no agreementId');
  }
  if (typeof value.exportedAt !== 'string') throw new VerificationFailure(where, 'has no exportedAt');
  if (!Array.isArray(value.files)) throw new VerificationFailure(where, 'has no files list');
  if (!Array.isArray(value.seals)) throw new VerificationFailure(where, 'has no seals list');
  let previous = '';
  for (const [index, file] of value.files.entries()) {
    const at = `${where} files[${index}]`;
    if (!isObject(file) || typeof file.path !== 'string' || file.path === '') {
      throw new VerificationFailure(at, 'has no path');
    }
    if (typeof file.sha256 !== 'string' || !HEX_DIGEST.test(file.sha256)) {
      throw new VerificationFailure(at, `${file.path}: sha256 is not 64 lower-case hex digits`);
    }
    if (!Number.isSafeInteger(file.size) || /** @type {number} */ (file.size) < 0) {
      throw new VerificationFailure(at, `${file.path}: size is not a whole number of bytes`);
    }
    if (file.path === 'manifest.json' || file.path === 'manifest.jws') {
      throw new VerificationFailure(at, `${file.path} cannot list itself`);
    }
    if (file.path <= previous)
      throw new VerificationFailure(at, `${file.path}: files are not sorted by path, or listed twice`);
    previous = file.path;
  }
  for (const [index, seal] of value.seals.entries()) {
    if (
      !isObject(seal) ||
      seal.seq !== index + 1 ||
      typeof seal.root !== 'string' ||
      !Number.isSafeInteger(seal.size)
    ) {
      throw new VerificationFailure(
        `${where} seals[${index}]`,
        'is not {seq, root, size} in order from seq 1',
      );
    }
  }
  return /** @type {any} */ (value);
}

/**
 * @param {Map<string, Uint8Array>} files
 * @param {string[]} warnings
 */
function checkVersions(files, warnings) {
  const numbers = new Set();
  for (const name of files.keys()) {
    const match = /^versions\/([^/]+)\//.exec(name);
    if (!match) continue;
    if (!/^[1-9][0-9]*$/.test(/** @type {string} */ (match[1]))) {
      throw new VerificationFailure(name, 'a version folder is named by its number (1, 2, ...)');
    }
    numbers.add(Number(match[1]));
  }
  let signatures = 0;
  for (let number = 1; number <= numbers.size; number++) {
    const folder = `versions/${number}`;
    if (!numbers.has(number))
      throw new VerificationFailure(`${folder}/`, `missing: versions are numbered 1 to ${numbers.size}`);
    const contentPath = `${folder}/content.json`;
    const versionPath = `${folder}/version.json`;
    const content = files.get(contentPath);
    if (!content) throw new VerificationFailure(contentPath, 'missing from the pack');
    if (!files.has(`${folder}/document.pdf`))
      throw new VerificationFailure(`${folder}/document.pdf`, 'missing from the pack');
    const versionBytes = files.get(versionPath);
    if (!versionBytes) throw new VerificationFailure(versionPath, 'missing from the pack');
    const version = parseJson(text(versionBytes, versionPath), versionPath);
    if (!isObject(version)) throw new VerificationFailure(versionPath, 'is not a JSON object');
    if (version.number !== number)
      throw new VerificationFailure(versionPath, `number is ${version.number}, not ${number}`);
    if (!isCanonicalJson(text(content, contentPath))) {
      throw new VerificationFailure(contentPath, 'is not canonical JSON (RFC 8785)');
    }
    const hash = `sha256:${sha256Hex(content)}`;
    if (version.contentHash !== hash) {
      throw new VerificationFailure(
        versionPath,
        `contentHash ${JSON.stringify(version.contentHash)} is not the hash of ${contentPath} (${hash})`,
      );
    }
    if (!Array.isArray(version.signatures))
      throw new VerificationFailure(versionPath, 'has no signatures list');
    for (const [index, signature] of version.signatures.entries()) {
      const who = isObject(signature) && typeof signature.party === 'string' ? ` (${signature.party})` : '';
      if (!isObject(signature))
        throw new VerificationFailure(versionPath, `signature ${index + 1} is not an object`);
      if (signature.contentHash === undefined) {
        warnings.push(
          `${versionPath}: signature ${index + 1}${who} names no content hash (made before rule 12)`,
        );
      } else if (signature.contentHash !== hash) {
        throw new VerificationFailure(
          versionPath,
          `signature ${index + 1}${who} signed ${JSON.stringify(signature.contentHash)}, not this version's ${hash}`,
        );
      }
      signatures += 1;
    }
  }
  return { versions: numbers.size, signatures };
}

/**
 * @typedef {{ seq: number, sealedAt: string, sealedAtMs: number, size: number, root: string, kid: string, path: string, entries: { id: string, leaf: string }[] }} Seal
 * @typedef {{ format: string, sealedAt: string, size: number, root: string }} RunBody
 * @param {Map<string, Uint8Array>} files
 * @param {{ agreementId: string, seals: { seq: number, root: string, size: number }[] }} manifest
 * @param {KeySet} keySet
 * @returns {Seal[]}
 */
function checkSeals(files, manifest, keySet) {
  const paths = [...files.keys()].filter((name) => name.startsWith('seals/')).sort();
  for (const path of paths) {
    if (!/^seals\/[0-9]{6}\.json$/.test(path))
      throw new VerificationFailure(path, 'not a seal file name (seals/NNNNNN.json)');
  }
  if (paths.length === 0) throw new VerificationFailure('seals/', 'the pack has no seal');
  /** @type {Seal[]} */
  const seals = [];
  /** @type {string | null} */
  let previousDigest = null;
  for (const [index, path] of paths.entries()) {
    const seq = index + 1;
    const expectedPath = `seals/${String(seq).padStart(6, '0')}.json`;
    if (path !== expectedPath)
      throw new VerificationFailure(
        expectedPath,
        `missing: the pack has ${path} but not this seal (seals are numbered from 1 without gaps)`,
      );
    const record = parseJson(text(/** @type {Uint8Array} */ (files.get(path)), path), path);
    exactMembers(record, SEAL_FILE_MEMBERS, path, 'it');
    const { body, run } = /** @type {{ body: unknown, entries: unknown, run: unknown }} */ (record);
    if (!Array.isArray(record.entries)) throw new VerificationFailure(path, 'entries is not a list');
    exactMembers(run, RUN_MEMBERS, path, 'run');
    if (typeof run.jws !== 'string' || !Array.isArray(run.proof)) {
      throw new VerificationFailure(
        path,
        'run is not {jws, index, proof} with a JWS string and a proof list',
      );
    }

    // The run's signature, and what it signs.
    const runBody = checkRunJws(run.jws, keySet, `${path} (run jws)`);
    const kid = runBody.kid;

    // The body, and that it is a leaf of the run's signed tree.
    exactMembers(body, SEAL_BODY_MEMBERS, path, 'body');
    if (body.format !== SEAL_FORMAT) {
      throw new VerificationFailure(
        path,
        `body.format is ${JSON.stringify(body.format)}, not "${SEAL_FORMAT}"`,
      );
    }
    let canonicalBody;
    try {
      canonicalBody = canonicalize(body);
    } catch (error) {
      throw new VerificationFailure(
        path,
        `the body has no canonical form (RFC 8785): ${/** @type {Error} */ (error).message}`,
      );
    }
    checkInclusion(leafHashOf(canonicalBody), run.index, run.proof, runBody, path);

    // What the body says: this agreement, this number, this run, chained to the seal before it.
    if (body.agreementId !== manifest.agreementId) {
      throw new VerificationFailure(
        path,
        `seals agreement ${JSON.stringify(body.agreementId)}, not ${manifest.agreementId}`,
      );
    }
    if (body.seq !== seq)
      throw new VerificationFailure(path, `the body is seal ${JSON.stringify(body.seq)}, not ${seq}`);
    const sealedAtMs = typeof body.sealedAt === 'string' ? Date.parse(body.sealedAt) : Number.NaN;
    if (Number.isNaN(sealedAtMs)) throw new VerificationFailure(path, 'body.sealedAt is not a time');
    if (body.sealedAt !== runBody.sealedAt) {
      throw new VerificationFailure(
        path,
        `body.sealedAt ${body.sealedAt} is not the run's sealedAt ${runBody.sealedAt}`,
      );
    }
    const before = seals.at(-1);
    if (before && sealedAtMs < before.sealedAtMs) {
      throw new VerificationFailure(
        path,
        `sealed at ${body.sealedAt}, before seal ${before.seq} (${before.sealedAt})`,
      );
    }
    if (body.previous !== previousDigest) {
      throw new VerificationFailure(
        path,
        previousDigest === null
          ? 'seal 1 names a previous seal'
          : `previous is not the SHA-256 of seal ${seq - 1}'s body (a seal was removed, replaced or reordered)`,
      );
    }

    // The entries it covers: their leaves' root is the body's root.
    /** @type {{ id: string, leaf: string }[]} */
    const entries = [];
    for (const [position, entry] of record.entries.entries()) {
      if (
        !isObject(entry) ||
        typeof entry.id !== 'string' ||
        typeof entry.leaf !== 'string' ||
        !HEX_DIGEST.test(entry.leaf)
      ) {
        throw new VerificationFailure(
          path,
          `entry ${position + 1} is not {id, leaf} with a hex SHA-256 leaf`,
        );
      }
      entries.push({ id: entry.id, leaf: entry.leaf });
    }
    if (body.size !== entries.length) {
      throw new VerificationFailure(
        path,
        `lists ${entries.length} entries, the body says ${JSON.stringify(body.size)}`,
      );
    }
    if (entries.length === 0) throw new VerificationFailure(path, 'an empty seal');
    if (body.root !== merkleRootOf(entries.map(({ leaf }) => leaf))) {
      throw new VerificationFailure(
        path,
        "the Merkle root of the listed leaves is not the body's root (entries changed, added, removed or reordered)",
      );
    }
    const listed = manifest.seals[index];
    if (!listed || listed.root !== body.root || listed.size !== body.size) {
      throw new VerificationFailure('manifest.json', `seals[${index}] does not match ${path}`);
    }
    seals.push({
      seq,
      sealedAt: body.sealedAt,
      sealedAtMs,
      size: entries.length,
      root: body.root,
      kid,
      path,
      entries,
    });
    previousDigest = sha256Hex(Buffer.from(canonicalBody, 'utf8'));
  }
  if (manifest.seals.length !== seals.length) {
    throw new VerificationFailure(
      'manifest.json',
      `lists ${manifest.seals.length} seals, the pack has ${seals.length} (seals/${String(seals.length + 1).padStart(6, '0')}.json missing?)`,
    );
  }
  return seals;
}

const SEAL_FILE_MEMBERS = ['body', 'entries', 'run'];
const RUN_MEMBERS = ['jws', 'index', 'proof'];
const RUN_BODY_MEMBERS = ['format', 'sealedAt', 'size', 'root'];
const SEAL_BODY_MEMBERS = ['format', 'agreementId', 'seq', 'sealedAt', 'size', 'root', 'previous'];

/**
 * That `value` is a JSON object with exactly `members`: none missing, none more.
 * @param {unknown} value
 * @param {readonly string[]} members
 * @param {string} where
 * @param {string} what `it` for the file itself, else the member's name
 * @returns {asserts value is Record<string, unknown>}
 */
function exactMembers(value, members, where, what) {
  const shape = `{${members.join(', ')}}`;
  if (!isObject(value) || members.some((member) => !Object.hasOwn(value, member))) {
    throw new VerificationFailure(where, what === 'it' ? `is not ${shape}` : `${what} is not ${shape}`);
  }
  const extra = Object.keys(value).find((member) => !members.includes(member));
  if (extra !== undefined) {
    throw new VerificationFailure(
      where,
      `${what === 'it' ? 'has' : `${what} has`} ${JSON.stringify(extra)} besides ${members.slice(0, -1).join(', ')} and ${members.at(-1)}`,
    );
  }
}

/**
 * A seal run's JWS: ES256 by a key of `keySet`, `typ` `dpa-seal-run+jws`, its payload the canonical
 * JSON of exactly {format, sealedAt, size, root}.
 * @param {string} jws
 * @param {KeySet} keySet
 * @param {string} where
 * @returns {RunBody & { kid: string }}
 */
function checkRunJws(jws, keySet, where) {
  const { payload, kid } = verifyJws(jws, RUN_TYPE, keySet, where);
  const payloadText = text(payload, where);
  const body = parseJson(payloadText, where, 'the payload');
  if (!isCanonicalJson(payloadText))
    throw new VerificationFailure(where, 'the payload is not canonical JSON (RFC 8785)');
  exactMembers(body, RUN_BODY_MEMBERS, where, 'the signed run body');
  if (body.format !== RUN_FORMAT) {
    throw new VerificationFailure(
      where,
      `the signed run body's format is ${JSON.stringify(body.format)}, not "${RUN_FORMAT}"`,
    );
  }
  if (typeof body.sealedAt !== 'string' || Number.isNaN(Date.parse(body.sealedAt)))
    throw new VerificationFailure(where, "the signed run body's sealedAt is not a time");
  if (!Number.isSafeInteger(body.size) || /** @type {number} */ (body.size) < 1)
    throw new VerificationFailure(
      where,
      "the signed run body's size is not a whole number of seals (1 or more)",
    );
  if (typeof body.root !== 'string' || !HEX_DIGEST.test(body.root))
    throw new VerificationFailure(where, "the signed run body's root is not 64 lower-case hex digits");
  return { .../** @type {RunBody} */ (body), kid };
}

/**
 * The number of hashes in the audit path of leaf `index` of a tree of `size` leaves: the steps of
 * RFC 9162 §2.1.3.2 until `sn` is 0.
 * @param {number} index
 * @param {number} size
 */
export function auditPathLength(index, size) {
  let fn = index;
  let sn = size - 1;
  let length = 0;
  while (sn > 0) {
    if (fn % 2 === 1 || fn === sn) {
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
    length += 1;
  }
  return length;
}

/**
 * RFC 9162 §2.1.3.2: the root that the audit path `proof` (hex, leaf upward) leads to from `leaf`,
 * leaf `index` of a tree of `size` leaves. The caller has checked the index and the path's length.
 * @param {string} leaf
 * @param {number} index
 * @param {number} size
 * @param {readonly string[]} proof
 * @returns {string}
 */
export function rootFromAuditPath(leaf, index, size, proof) {
  /** @type {(left: Buffer, right: Buffer) => Buffer} */
  const node = (left, right) =>
    createHash('sha256').update(Uint8Array.of(1)).update(left).update(right).digest();
  let fn = index;
  let sn = size - 1;
  /** @type {Buffer} */
  let r = Buffer.from(leaf, 'hex');
  for (const sibling of proof) {
    if (sn === 0) throw new Error('the audit path is longer than the tree is high');
    const p = Buffer.from(sibling, 'hex');
    if (fn % 2 === 1 || fn === sn) {
      r = node(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = node(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new Error('the audit path is shorter than the tree is high');
  return r.toString('hex');
}

/**
 * That the seal body whose leaf hash is `leaf` is leaf `index` of the run's tree: its audit path,
 * hashed up from the leaf, reaches exactly the run's signed root.
 * @param {string} leaf
 * @param {unknown} index
 * @param {unknown[]} proof
 * @param {RunBody} run
 * @param {string} where
 */
function checkInclusion(leaf, index, proof, run, where) {
  if (!Number.isSafeInteger(index) || /** @type {number} */ (index) < 0) {
    throw new VerificationFailure(where, `run.index ${JSON.stringify(index)} is not a whole number`);
  }
  const at = /** @type {number} */ (index);
  if (at >= run.size) {
    throw new VerificationFailure(
      where,
      `run.index ${at} is not a leaf of the run's tree of ${run.size} seal${run.size === 1 ? '' : 's'}`,
    );
  }
  for (const [position, sibling] of proof.entries()) {
    if (typeof sibling !== 'string' || !HEX_DIGEST.test(sibling)) {
      throw new VerificationFailure(where, `run.proof[${position}] is not 64 lower-case hex digits`);
    }
  }
  const expected = auditPathLength(at, run.size);
  if (proof.length !== expected) {
    throw new VerificationFailure(
      where,
      `run.proof has ${proof.length} hash${proof.length === 1 ? '' : 'es'}, but the audit path of leaf ${at} of a tree of ${run.size} has ${expected} (${proof.length < expected ? 'too short' : 'too long'})`,
    );
  }
  if (rootFromAuditPath(leaf, at, run.size, /** @type {string[]} */ (proof)) !== run.root) {
    throw new VerificationFailure(
      where,
      `the audit path from the body (leaf ${at} of ${run.size}) does not lead to the run's signed root (the body, run.index or run.proof changed, or the run is not this seal's)`,
    );
  }
}

/**
 * Walks the seals in order: each listed entry is the next line of its log, unchanged since it was
 * sealed, not backdated; no line is left over.
 * @param {Map<string, Uint8Array>} files
 * @param {Seal[]} seals
 */
function checkLogs(files, seals) {
  /** @type {Record<string, { path: string, lines: string[], next: number }>} */
  const logs = {};
  for (const [log, prefix] of [
    ['history', 'HISTORY#'],
    ['audit', 'AUDIT#'],
  ]) {
    const path = `logs/${log}.jsonl`;
    const bytes = files.get(path);
    if (!bytes) throw new VerificationFailure(path, 'missing from the pack');
    const content = text(bytes, path);
    if (content !== '' && !content.endsWith('\n'))
      throw new VerificationFailure(path, 'the last line does not end in a newline');
    logs[/** @type {string} */ (prefix)] = {
      path,
      lines: content === '' ? [] : content.slice(0, -1).split('\n'),
      next: 0,
    };
  }
  const seen = new Set();
  let previousSeal;
  for (const seal of seals) {
    for (const { id, leaf } of seal.entries) {
      const log = id.startsWith('HISTORY#')
        ? logs['HISTORY#']
        : id.startsWith('AUDIT#')
          ? logs['AUDIT#']
          : undefined;
      if (!log)
        throw new VerificationFailure(seal.path, `entry ${id} is neither a HISTORY# nor an AUDIT# entry`);
      if (seen.has(id)) throw new VerificationFailure(seal.path, `entry ${id} is sealed twice`);
      seen.add(id);
      const lineNumber = log.next + 1;
      const where = `${log.path} line ${lineNumber}`;
      const line = log.lines[log.next];
      log.next += 1;
      if (line === undefined) {
        throw new VerificationFailure(
          where,
          `missing: entry ${id} (seal ${seal.seq}) should be here (removed?)`,
        );
      }
      let entry;
      try {
        entry = JSON.parse(line);
      } catch {
        throw new VerificationFailure(where, `is not JSON; entry ${id} (seal ${seal.seq}) should be here`);
      }
      if (!isObject(entry) || entry.id !== id) {
        const found =
          isObject(entry) && typeof entry.id === 'string' ? `entry ${entry.id}` : 'a line without an id';
        throw new VerificationFailure(
          where,
          `is ${found}, but seal ${seal.seq} lists entry ${id} here (an entry removed, inserted or moved)`,
        );
      }
      if (!isCanonicalJson(line))
        throw new VerificationFailure(where, `entry ${id} is not canonical JSON (RFC 8785)`);
      if (leafHashOf(line) !== leaf) {
        throw new VerificationFailure(
          where,
          `entry ${id} is not what seal ${seal.seq} sealed (changed after sealing)`,
        );
      }
      if (previousSeal) {
        const at = typeof entry.at === 'string' ? Date.parse(entry.at) : Number.NaN;
        if (Number.isNaN(at)) throw new VerificationFailure(where, `entry ${id} has no time (at)`);
        if (at < previousSeal.sealedAtMs - LONGEST_WRITE_MS) {
          throw new VerificationFailure(
            where,
            `entry ${id} is dated ${entry.at} but first sealed in seal ${seal.seq}, although seal ${previousSeal.seq} was made at ${previousSeal.sealedAt}, more than 15 minutes later: backdated`,
          );
        }
      }
    }
    previousSeal = seal;
  }
  for (const log of Object.values(logs)) {
    if (log.next < log.lines.length) {
      const line = /** @type {string} */ (log.lines[log.next]);
      let id = 'without an id';
      try {
        const entry = JSON.parse(line);
        if (isObject(entry) && typeof entry.id === 'string') id = entry.id;
      } catch {}
      throw new VerificationFailure(
        `${log.path} line ${log.next + 1}`,
        `entry ${id} is in no seal (added after sealing)`,
      );
    }
  }
  return { history: logs['HISTORY#']?.lines.length ?? 0, audit: logs['AUDIT#']?.lines.length ?? 0 };
}

/**
 * Each `amendments/<id>.json`: every signature names the amendment's `contentHash` (the amended
 * content), and an amendment in force made the content version it names, whose hash is that one.
 * @param {Map<string, Uint8Array>} files
 */
function checkAmendments(files) {
  let count = 0;
  for (const [path, bytes] of files) {
    if (!path.startsWith('amendments/')) continue;
    count += 1;
    const amendment = parseJson(text(bytes, path), path);
    if (
      !isObject(amendment) ||
      typeof amendment.contentHash !== 'string' ||
      !Array.isArray(amendment.signatures)
    ) {
      throw new VerificationFailure(path, 'is not an amendment with a contentHash and signatures');
    }
    for (const [index, signature] of amendment.signatures.entries()) {
      if (!isObject(signature) || signature.contentHash !== amendment.contentHash) {
        throw new VerificationFailure(
          path,
          `signature ${index + 1} does not name the amended content's hash ${amendment.contentHash}`,
        );
      }
    }
    if (amendment.status === 'IN_FORCE') {
      const versionPath = `versions/${amendment.resultingVersion}/version.json`;
      const versionBytes = files.get(versionPath);
      if (!versionBytes) {
        throw new VerificationFailure(
          path,
          `is in force, but ${versionPath}, the version it made, is missing`,
        );
      }
      const version = parseJson(text(versionBytes, versionPath), versionPath);
      if (!isObject(version) || version.contentHash !== amendment.contentHash) {
        throw new VerificationFailure(
          versionPath,
          `is not the content amendment ${amendment.number} made (${amendment.contentHash})`,
        );
      }
    }
  }
  return count;
}

/**
 * Each `appendix-3/<n>.json` is exactly the `details` of the history line (named by its `entry`) that
 * records version n of Vedlegg 3, and every such line has its file. Runs after the logs are checked
 * against their seals, so the versions are as sealed.
 * @param {Map<string, Uint8Array>} files
 */
function checkAppendix(files) {
  /** @type {Map<string, { line: number, details: unknown }>} */
  const recorded = new Map();
  const history = text(/** @type {Uint8Array} */ (files.get('logs/history.jsonl')), 'logs/history.jsonl');
  const lines = history === '' ? [] : history.slice(0, -1).split('\n');
  for (const [index, line] of lines.entries()) {
    const entry = JSON.parse(line);
    if (entry.type !== APPENDIX_VERSION_ENTRY) continue;
    const version = isObject(entry.details) ? entry.details.version : undefined;
    const where = `logs/history.jsonl line ${index + 1}`;
    if (!Number.isSafeInteger(version) || /** @type {number} */ (version) < 1) {
      throw new VerificationFailure(where, `entry ${entry.id} records Vedlegg 3 without a version number`);
    }
    const path = `appendix-3/${version}.json`;
    if (recorded.has(path)) {
      throw new VerificationFailure(
        where,
        `entry ${entry.id} records Vedlegg 3 version ${version} a second time`,
      );
    }
    recorded.set(path, { line: index + 1, details: { ...entry.details, entry: entry.id } });
  }
  for (const name of files.keys()) {
    if (!name.startsWith('appendix-3/')) continue;
    if (!/^appendix-3\/[1-9][0-9]*\.json$/.test(name)) {
      throw new VerificationFailure(name, 'not a Vedlegg 3 version file name (appendix-3/<n>.json)');
    }
    if (!recorded.has(name)) {
      throw new VerificationFailure(name, 'no history entry records this version of Vedlegg 3');
    }
  }
  for (const [path, { line, details }] of recorded) {
    const bytes = files.get(path);
    if (!bytes) {
      throw new VerificationFailure(path, `missing: logs/history.jsonl line ${line} records this version`);
    }
    const file = parseJson(text(bytes, path), path);
    if (canonicalize(file) !== canonicalize(details)) {
      throw new VerificationFailure(
        path,
        `is not the version that logs/history.jsonl line ${line} records (changed)`,
      );
    }
  }
  return recorded.size;
}

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * @param {Uint8Array} bytes
 * @param {string} where
 */
function text(bytes, where) {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new VerificationFailure(where, 'is not UTF-8 text');
  }
}

/**
 * @param {string} source
 * @param {string} where
 * @param {string} [what]
 * @returns {unknown}
 */
function parseJson(source, where, what = 'it') {
  try {
    return JSON.parse(source);
  } catch {
    throw new VerificationFailure(where, `${what === 'it' ? 'is not' : `${what} is not`} valid JSON`);
  }
}

/**
 * Strict base64url: only the alphabet, no padding, and the one spelling of the bytes.
 * @param {string} part
 * @param {string} where
 * @param {string} what
 */
function decodeBase64url(part, where, what) {
  const bytes = Buffer.from(part, 'base64url');
  if (!BASE64URL.test(part) || bytes.toString('base64url') !== part) {
    throw new VerificationFailure(where, `the JWS ${what} is not base64url`);
  }
  return bytes;
}

export { canonicalize, isCanonicalJson };
