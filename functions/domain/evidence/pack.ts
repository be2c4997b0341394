import { createHash } from 'node:crypto';
import { strToU8, zipSync } from 'fflate';
import { type AgreementContent, canonicalContent } from '../content-hash.ts';
import type { Actor, Agreement, Signature } from '../schemas.ts';
import { APPENDIX_VERSION_ENTRY } from '../sub-processors.ts';
import { type LogName, logLine, logOf, type SealBody, type SealRecord } from './log-seal.ts';

/**
 * Rule 14, the evidence pack: everything either party needs to show what was agreed and what happened,
 * as a ZIP that anyone verifies offline (docs/evidence-format.md; verifier/dpa-evidence.mjs).
 */

export const EVIDENCE_FORMAT = 'dpa-evidence/2';
/** The `typ` header of the manifest's JWS. */
export const MANIFEST_JWS_TYPE = 'dpa-manifest+jws';

export interface EvidenceVersion {
  number: number;
  content: AgreementContent;
  contentHash: string;
  effectiveFrom?: string;
  signatures: Signature[];
  /** The amendment that made it (none for version 1). */
  amendment?: { id: string; number: number };
  /** The version's PDF (functions/domain/document). */
  document: Uint8Array;
}

export interface EvidenceLogEntry {
  id: string;
  entry: Record<string, unknown>;
}

export interface EvidenceInput {
  agreementId: string;
  exportedAt: string;
  exportedBy: Actor;
  /** The record as the API returns it. */
  agreement: Agreement;
  versions: EvidenceVersion[];
  /** Each request as the API returns it, with its decision. */
  subProcessors: Record<string, unknown>[];
  /** Each amendment as the API returns it, with its signatures (rule 13). */
  amendments: Record<string, unknown>[];
  breaches: Record<string, unknown>[];
  /** Rule 16: oversight audits, forwarded requests and instructions, each as the API returns it. */
  audits: Record<string, unknown>[];
  forwardedRequests: Record<string, unknown>[];
  instructions: Record<string, unknown>[];
  history: EvidenceLogEntry[];
  audit: EvidenceLogEntry[];
  /** Seals 1..n, together covering every history and audit entry exactly once. */
  seals: SealRecord[];
  jwks: { keys: Record<string, unknown>[] };
}

export interface Manifest {
  format: typeof EVIDENCE_FORMAT;
  agreementId: string;
  exportedAt: string;
  exportedBy: Actor;
  files: { path: string; sha256: string; size: number }[];
  seals: { seq: number; root: string; size: number }[];
}

const TERMINATION_FIELDS = [
  'termination',
  'terminatesOn',
  'terminatedAt',
  'dataDisposition',
  'attestation',
] as const satisfies readonly (keyof Agreement)[];

/** A record id used as a file name: nothing that could leave its folder or clash by case tricks. */
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/**
 * Builds the pack. The same input gives the same bytes: files in path order, every entry's time the
 * export time (as UTC: ZIP times have no zone), JSON with its keys sorted.
 */
export async function buildEvidencePack(
  input: EvidenceInput,
  signManifest: (manifestBytes: Uint8Array) => Promise<string>,
): Promise<Uint8Array> {
  const files = new Map<string, Uint8Array>();
  const add = (path: string, bytes: Uint8Array) => {
    if (files.has(path)) throw new Error(`Two files at ${path} in the evidence pack`);
    files.set(path, bytes);
  };

  add('agreement.json', jsonFile(input.agreement));
  for (const version of input.versions) {
    if (!Number.isInteger(version.number) || version.number < 1) {
      throw new Error(`A content version is numbered from 1: ${version.number}`);
    }
    const folder = `versions/${version.number}`;
    add(`${folder}/content.json`, strToU8(canonicalContent(version.content)));
    add(
      `${folder}/version.json`,
      jsonFile({
        number: version.number,
        contentHash: version.contentHash,
        ...(version.effectiveFrom === undefined ? {} : { effectiveFrom: version.effectiveFrom }),
        ...(version.amendment === undefined ? {} : { amendment: version.amendment }),
        signatures: version.signatures,
      }),
    );
    add(`${folder}/document.pdf`, version.document);
  }
  for (const request of input.subProcessors) {
    add(`sub-processors/${fileId(request, 'sub-processor request')}.json`, jsonFile(request));
  }
  for (const [number, version] of appendixVersions(input.history)) add(`appendix-3/${number}.json`, version);
  for (const amendment of input.amendments)
    add(`amendments/${fileId(amendment, 'amendment')}.json`, jsonFile(amendment));
  for (const breach of input.breaches) add(`breaches/${fileId(breach, 'breach')}.json`, jsonFile(breach));
  for (const audit of input.audits) add(`audits/${fileId(audit, 'oversight audit')}.json`, jsonFile(audit));
  for (const request of input.forwardedRequests)
    add(`requests/${fileId(request, 'forwarded request')}.json`, jsonFile(request));
  for (const instruction of input.instructions)
    add(`instructions/${fileId(instruction, 'instruction')}.json`, jsonFile(instruction));
  const termination = Object.fromEntries(
    TERMINATION_FIELDS.filter((field) => input.agreement[field] !== undefined).map((field) => [
      field,
      input.agreement[field],
    ]),
  );
  if (Object.keys(termination).length > 0) add('termination.json', jsonFile(termination));

  const bodies = sealBodiesOf(input);
  const logs = logFiles(input);
  add('logs/history.jsonl', strToU8(logs.history));
  add('logs/audit.jsonl', strToU8(logs.audit));
  input.seals.forEach((seal, index) => {
    add(
      `seals/${String(index + 1).padStart(6, '0')}.json`,
      jsonFile({ body: seal.body, entries: seal.entries, run: seal.run }),
    );
  });
  add('keys/jwks.json', jsonFile(input.jwks));

  const paths = [...files.keys()].sort();
  const manifest: Manifest = {
    format: EVIDENCE_FORMAT,
    agreementId: input.agreementId,
    exportedAt: input.exportedAt,
    exportedBy: input.exportedBy,
    files: paths.map((path) => {
      const bytes = files.get(path)!;
      return { path, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
    }),
    seals: bodies.map(({ seq, root, size }) => ({ seq, root, size })),
  };
  const manifestBytes = strToU8(`${JSON.stringify(manifest, null, 2)}\n`);
  const jws = await signManifest(manifestBytes);
  const signedPayload = jws.split('.')[1];
  if (signedPayload === undefined || !Buffer.from(signedPayload, 'base64url').equals(manifestBytes)) {
    throw new Error('The manifest signature does not carry the manifest as its payload');
  }
  files.set('manifest.json', manifestBytes);
  files.set('manifest.jws', strToU8(jws));

  const mtime = zipTime(input.exportedAt);
  const entries: Record<string, [Uint8Array, { mtime: Date }]> = {};
  for (const path of [...files.keys()].sort()) entries[path] = [files.get(path)!, { mtime }];
  return zipSync(entries, { level: 6 });
}

/** The seals' bodies, checked to be numbered 1..n in order and to belong to this agreement. */
function sealBodiesOf(input: EvidenceInput): SealBody[] {
  return input.seals.map((seal, index) => {
    const { body } = seal;
    if (body.seq !== index + 1) throw new Error(`Seal ${index + 1} of the pack is numbered ${body.seq}`);
    if (body.agreementId !== input.agreementId) {
      throw new Error(`Seal ${body.seq} is of agreement ${body.agreementId}, not ${input.agreementId}`);
    }
    return body;
  });
}

/**
 * Each log's lines in seal order: walking seals 1..n and their entries as listed. An entry is written
 * as it stands now, so one changed after sealing no longer matches its leaf, and one removed from the
 * table after sealing leaves a gap: the pack shows the break and the verifier names the entry, instead
 * of the export failing and hiding it. Every entry still present must be in exactly one seal (the
 * export seals everything first).
 */
function logFiles(input: EvidenceInput): Record<LogName, string> {
  const entries = new Map<string, Record<string, unknown>>();
  for (const [log, list] of [
    ['history', input.history],
    ['audit', input.audit],
  ] as const) {
    for (const { id, entry } of list) {
      if (logOf(id) !== log) throw new Error(`Entry ${id} is not a ${log} entry`);
      if (entries.has(id)) throw new Error(`Entry ${id} is given twice`);
      entries.set(id, entry);
    }
  }
  const lines: Record<LogName, string[]> = { history: [], audit: [] };
  const written = new Set<string>();
  for (const seal of input.seals) {
    for (const { id } of seal.entries) {
      if (written.has(id)) throw new Error(`Entry ${id} is in more than one seal`);
      written.add(id);
      const entry = entries.get(id);
      if (entry !== undefined) lines[logOf(id)].push(logLine(id, entry));
    }
  }
  for (const id of entries.keys()) {
    if (!written.has(id)) throw new Error(`Entry ${id} is in no seal: seal the logs before exporting`);
  }
  return {
    history: lines.history.map((line) => `${line}\n`).join(''),
    audit: lines.audit.map((line) => `${line}\n`).join(''),
  };
}

/**
 * Every version of Vedlegg 3, each as the history entry that recorded it says (its `details`, with the
 * entry's id), so that each version is bound to a sealed log line. An entry edited in the table into
 * something that is no version (or a second entry of one number) is left to the verifier to name.
 */
function appendixVersions(history: readonly EvidenceLogEntry[]): Map<number, Uint8Array> {
  const versions = new Map<number, Uint8Array>();
  for (const { id, entry } of history) {
    if (entry.type !== APPENDIX_VERSION_ENTRY) continue;
    const details = entry.details as Record<string, unknown> | undefined;
    const number = details?.version;
    if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 1 || versions.has(number)) {
      continue;
    }
    versions.set(number, jsonFile({ ...details, entry: id }));
  }
  return versions;
}

function fileId(record: Record<string, unknown>, what: string): string {
  const id = record.id;
  if (typeof id !== 'string' || !SAFE_ID.test(id)) throw new Error(`A ${what} without a usable id: ${id}`);
  return id;
}

/** JSON, two-space indented, keys sorted at every level, ending in a newline. */
function jsonFile(value: unknown): Uint8Array {
  return strToU8(`${JSON.stringify(value, sortedKeys, 2)}\n`);
}

function sortedKeys(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array) {
    return value;
  }
  const record = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((key) => [key, record[key]]),
  );
}

/**
 * fflate writes an entry's DOS date and time from the Date's local fields; a Date whose local fields are
 * the export time's UTC ones makes the pack the same on any machine (Lambda runs in UTC anyway).
 */
function zipTime(exportedAt: string): Date {
  const at = new Date(exportedAt);
  if (Number.isNaN(at.getTime())) throw new Error(`Not a time: ${exportedAt}`);
  return new Date(
    at.getUTCFullYear(),
    at.getUTCMonth(),
    at.getUTCDate(),
    at.getUTCHours(),
    at.getUTCMinutes(),
    at.getUTCSeconds(),
  );
}
