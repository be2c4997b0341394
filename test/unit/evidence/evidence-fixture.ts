import { createHash, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import canonicalize from 'canonicalize';
import { contentHashOf } from '../../../functions/domain/content-hash.ts';
import {
  leafHash,
  logLine,
  RUN_JWS_TYPE,
  SEAL_FORMAT,
  type SealBody,
  type SealedEntry,
  type SealRecord,
  sealBody,
  sealRun,
} from '../../../functions/domain/evidence/log-seal.ts';
import { buildEvidencePack, type EvidenceInput } from '../../../functions/domain/evidence/pack.ts';
import type { Actor, Agreement } from '../../../functions/domain/schemas.ts';
import { AGREEMENT_ID, CONTROLLER_ORG, draftAgreement, PROCESSOR_ORG } from '../domain/agreement-fixture.ts';

/**
 * A whole lifecycle's evidence: created, submitted, signed by both, a sub-processor approved, a breach,
 * notice, the data-disposition choice, termination and the deletion attestation; reads audited along
 * the way; sealed by three seals (two daily runs and the export's own) with a P-256 key made here.
 */

export interface ServiceKey {
  privateKey: KeyObject;
  kid: string;
  jwk: { kty: 'EC'; crv: 'P-256'; x: string; y: string; kid: string; alg: 'ES256'; use: 'sig' };
}

export function serviceKey(): ServiceKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { x, y } = publicKey.export({ format: 'jwk' }) as { x: string; y: string };
  // RFC 7638: the required members in lexicographic order, no whitespace.
  const kid = createHash('sha256')
    .update(`{"crv":"P-256","kty":"EC","x":"${x}","y":"${y}"}`)
    .digest('base64url');
  return { privateKey, kid, jwk: { kty: 'EC', crv: 'P-256', x, y, kid, alg: 'ES256', use: 'sig' } };
}

const base64url = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64url');

/** A compact JWS, ES256, as the service signs seals and manifests (a test-only signer). */
export function compactJws(
  key: Pick<ServiceKey, 'privateKey' | 'kid'>,
  typ: string,
  payload: Uint8Array | string,
  header: Record<string, unknown> = {},
): string {
  const input = `${base64url(JSON.stringify({ alg: 'ES256', kid: key.kid, typ, ...header }))}.${base64url(payload)}`;
  const signature = sign('sha256', Buffer.from(input, 'ascii'), {
    key: key.privateKey,
    dsaEncoding: 'ieee-p1363',
  });
  return `${input}.${base64url(signature)}`;
}

export const jwksOf = (...keys: ServiceKey[]) => ({ keys: keys.map(({ jwk }) => ({ ...jwk })) });

export interface LogEntry {
  id: string;
  entry: Record<string, unknown>;
}

const controller: Actor = { orgNumber: CONTROLLER_ORG, clientId: 'radoy-sak', person: 'Kari Nordmann' };
const processor: Actor = { orgNumber: PROCESSOR_ORG, clientId: 'nav-dpa' };

let counter = 0;
const suffix = () => (counter++).toString(36).padStart(4, '0');

export function historyEntry(at: string, type: string, rest: Record<string, unknown> = {}): LogEntry {
  return { id: `HISTORY#${at}#0#${suffix()}`, entry: { at, type, ...rest } };
}

export function auditEntry(
  at: string,
  action: string,
  actor: Actor,
  route: string,
  details?: object,
): LogEntry {
  return {
    id: `AUDIT#${at}#0#${suffix()}`,
    entry: { at, action, actor, route, ...(details ? { details } : {}) },
  };
}

export const EXPORTED_AT = '2027-03-10T08:30:00.000Z';
export const DAILY_SEALS = ['2026-11-16T02:00:00.000Z', '2027-02-01T02:00:00.000Z'];

export function lifecycleAgreement(): Agreement {
  const signed = draftAgreement({ subProcessors: [] });
  const contentHash = signed.contentHash;
  return {
    ...signed,
    status: 'CLOSED',
    version: 14,
    submittedAt: '2026-11-15T09:00:00.000Z',
    signatureDeadline: '2026-12-15',
    signatures: [
      {
        party: 'controller',
        signatory: { name: 'Åse Ærø', title: 'Ordfører' },
        place: 'Radøy',
        signedOn: '2026-11-20',
        signedAt: '2026-11-20T10:00:00.000Z',
        contentHash,
        person: 'Åse Ærø',
      },
      {
        party: 'processor',
        signatory: { name: 'Ola Direktør', title: 'Direktør' },
        place: 'Oslo',
        signedOn: '2026-11-21',
        signedAt: '2026-11-21T13:00:00.000Z',
        contentHash,
      },
    ],
    effectiveFrom: '2026-11-21',
    termination: { givenBy: 'controller', givenOn: '2026-11-30', reason: 'Tjenesten legges ned' },
    terminatesOn: '2027-02-28',
    terminatedAt: '2027-02-28T23:00:00.000Z',
    dataDisposition: {
      method: 'DELETE',
      chosenOn: '2026-12-01',
      chosenAt: '2026-12-01T08:00:00.000Z',
      chosenBy: controller,
    },
    attestation: {
      method: 'DELETE',
      completedOn: '2027-03-05',
      statement: 'Alle personopplysninger og kopier er slettet.',
      signatory: { name: 'Ola Direktør', title: 'Direktør' },
      attestedAt: '2027-03-05T12:00:00.000Z',
      attestedBy: processor,
    },
    closedAt: '2027-03-05T12:00:00.000Z',
    updatedAt: '2027-03-05T12:00:00.000Z',
  };
}

export function lifecycleLogs(): { history: LogEntry[]; audit: LogEntry[] } {
  const history = [
    historyEntry('2026-11-01T09:00:00.000Z', 'CREATED', { actor: controller, toStatus: 'DRAFT' }),
    historyEntry('2026-11-15T09:00:00.000Z', 'SUBMITTED', {
      actor: controller,
      fromStatus: 'DRAFT',
      toStatus: 'AWAITING_SIGNATURES',
    }),
    historyEntry('2026-11-20T10:00:00.000Z', 'SIGNED', {
      actor: controller,
      details: { party: 'controller', signatory: 'Åse Ærø', place: 'Radøy' },
    }),
    historyEntry('2026-11-21T13:00:00.000Z', 'SIGNED', {
      actor: processor,
      details: { party: 'processor', signatory: 'Ola Direktør', place: 'Oslo' },
    }),
    historyEntry('2026-11-21T13:00:01.000Z', 'ACTIVATED', {
      fromStatus: 'AWAITING_SIGNATURES',
      toStatus: 'IN_FORCE',
    }),
    historyEntry('2026-11-25T08:00:00.000Z', 'SUB_PROCESSOR_REQUESTED', {
      actor: processor,
      details: { subProcessorId: 'sp-1', name: 'Skyløsninger AS' },
    }),
    historyEntry('2026-11-27T08:00:00.000Z', 'SUB_PROCESSOR_APPROVED', {
      actor: controller,
      details: { subProcessorId: 'sp-1' },
    }),
    historyEntry('2026-11-27T08:00:00.000Z', 'APPENDIX_3_VERSION', {
      actor: controller,
      details: {
        version: 1,
        approved: [{ id: 'sp-1', name: 'Skyløsninger AS', personalDataTypes: ['Navn'] }],
        effectiveFrom: '2026-11-27T08:00:00.000Z',
        added: 'sp-1',
      },
    }),
    historyEntry('2026-11-28T14:00:00.000Z', 'BREACH_REPORTED', {
      actor: processor,
      details: { breachId: 'br-1' },
    }),
    historyEntry('2026-11-30T09:00:00.000Z', 'TERMINATION_NOTICE', {
      actor: controller,
      fromStatus: 'IN_FORCE',
      toStatus: 'NOTICE_PERIOD',
      details: { terminatesOn: '2027-02-28' },
    }),
    historyEntry('2026-12-01T08:00:00.000Z', 'DATA_DISPOSITION_CHOSEN', {
      actor: controller,
      details: { method: 'DELETE' },
    }),
    historyEntry('2027-02-28T23:00:00.000Z', 'TERMINATED', {
      fromStatus: 'NOTICE_PERIOD',
      toStatus: 'TERMINATED',
    }),
    historyEntry('2027-03-05T12:00:00.000Z', 'ATTESTED', {
      actor: processor,
      fromStatus: 'TERMINATED',
      toStatus: 'CLOSED',
      details: { method: 'DELETE' },
    }),
  ];
  const audit = [
    auditEntry('2026-11-01T09:00:00.000Z', 'CREATE_AGREEMENT', controller, 'POST /agreements'),
    auditEntry('2026-11-16T07:00:00.000Z', 'READ_AGREEMENT', processor, 'GET /agreements/{id}'),
    auditEntry('2026-11-16T07:01:00.000Z', 'READ_DOCUMENT', processor, 'GET /agreements/{id}/document'),
    auditEntry('2026-11-20T10:00:00.000Z', 'SIGN_AGREEMENT', controller, 'POST /agreements/{id}/signatures'),
    auditEntry('2026-11-21T13:00:00.000Z', 'SIGN_AGREEMENT', processor, 'POST /agreements/{id}/signatures'),
    auditEntry('2026-11-27T08:00:00.000Z', 'DECIDE_SUB_PROCESSOR', controller, 'POST .../decision', {
      subProcessorId: 'sp-1',
    }),
    auditEntry('2026-12-02T10:00:00.000Z', 'READ_HISTORY', controller, 'GET /agreements/{id}/history'),
    auditEntry('2027-03-05T12:00:00.000Z', 'ATTEST', processor, 'POST /agreements/{id}/attestation'),
    auditEntry(EXPORTED_AT, 'EXPORT_EVIDENCE', controller, 'GET /agreements/{id}/evidence'),
  ];
  return { history, audit };
}

/** Oldest first by time, then by id: the order in which the service lists a seal's entries. */
export const chronologically = (a: LogEntry, b: LogEntry) =>
  String(a.entry.at).localeCompare(String(b.entry.at)) || a.id.localeCompare(b.id);

/**
 * A seal body of another agreement, made in the same run: what puts a pack's seal at an inner place of
 * a larger tree, so its audit path is not empty.
 */
const neighbourBody = (agreementId: string, sealedAt: string): SealBody => ({
  format: SEAL_FORMAT,
  agreementId,
  seq: 1,
  sealedAt,
  size: 1,
  root: leafHash(agreementId),
  previous: null,
});

/**
 * Seals `entries` as the service does: seal k, made at `sealTimes[k]`, covers the entries written
 * before then and not sealed yet, in time order; the entries given in `late` are left for the seal at
 * the index given (as an entry the daily run had not seen yet). Every seal but the last (the export's
 * own, a run of one) is made in a run with `neighbours` other agreements' seals, the pack's seal at
 * index k mod (neighbours + 1), and the run's root is signed once.
 */
export function sealEntries(
  key: ServiceKey,
  agreementId: string,
  entries: readonly LogEntry[],
  sealTimes: readonly string[],
  late: ReadonlyMap<string, number> = new Map(),
  neighbours = 4,
): SealRecord[] {
  const seals: SealRecord[] = [];
  const sealed = new Set<string>();
  sealTimes.forEach((sealedAt, index) => {
    const covered = entries
      .filter(
        ({ id, entry }) => !sealed.has(id) && String(entry.at) <= sealedAt && (late.get(id) ?? 0) <= index,
      )
      .sort(chronologically);
    for (const { id } of covered) sealed.add(id);
    const listed: SealedEntry[] = covered.map(({ id, entry }) => ({
      id,
      leaf: leafHash(logLine(id, entry)),
    }));
    const body = sealBody(agreementId, index + 1, sealedAt, listed, seals.at(-1)?.body);
    const others =
      index === sealTimes.length - 1
        ? []
        : Array.from({ length: neighbours }, (_, n) => neighbourBody(`other-${n}`, sealedAt));
    const at = others.length === 0 ? 0 : index % (neighbours + 1);
    const bodies = [...others.slice(0, at), body, ...others.slice(at)];
    const run = sealRun(sealedAt, bodies);
    const jws = compactJws(key, RUN_JWS_TYPE, canonicalize(run.body) as string);
    seals.push({ body, entries: listed, run: { jws, ...run.proofs[at]! } });
  });
  return seals;
}

export function lifecycleInput(
  key: ServiceKey,
  logs = lifecycleLogs(),
  late: ReadonlyMap<string, number> = new Map(),
): EvidenceInput {
  const agreement = lifecycleAgreement();
  return {
    agreementId: AGREEMENT_ID,
    exportedAt: EXPORTED_AT,
    exportedBy: controller,
    agreement,
    versions: [
      {
        number: 1,
        content: agreement,
        contentHash: contentHashOf(agreement),
        effectiveFrom: '2026-11-21',
        signatures: agreement.signatures,
        document: Buffer.from('%PDF-1.7\n% Databehandleravtale for Radøy kommune\n%%EOF\n'),
      },
    ],
    amendments: [],
    subProcessors: [
      {
        id: 'sp-1',
        status: 'APPROVED',
        name: 'Skyløsninger AS',
        address: 'Storgata 1, 0155 Oslo',
        processingLocation: { city: 'Oslo', countryCode: 'NO' },
        activities: 'Drift av lagring',
        personalDataTypes: ['Navn'],
        requestedAt: '2026-11-25T08:00:00.000Z',
        decision: { decision: 'APPROVED', decidedAt: '2026-11-27T08:00:00.000Z', decidedBy: controller },
      },
    ],
    breaches: [
      {
        id: 'br-1',
        status: 'CLOSED',
        reportedAt: '2026-11-28T14:00:00.000Z',
        description: 'Feilsendt brev med navn på én deltaker',
      },
    ],
    audits: [
      {
        id: 'au-1',
        type: 'DOCUMENT_REVIEW',
        status: 'CLOSED',
        dueOn: '2026-11-30',
        material: [],
        findings: [],
      },
    ],
    forwardedRequests: [
      {
        id: 'rq-1',
        from: 'DATA_SUBJECT',
        kind: 'ACCESS',
        status: 'CLOSED',
        answerDeadline: '2026-12-28',
        tasks: [],
      },
    ],
    instructions: [{ id: 'in-1', number: 1, topic: 'SECURITY', status: 'ACKNOWLEDGED' }],
    history: logs.history,
    audit: logs.audit,
    seals: sealEntries(
      key,
      AGREEMENT_ID,
      [...logs.history, ...logs.audit],
      [...DAILY_SEALS, EXPORTED_AT],
      late,
    ),
    jwks: jwksOf(key),
  };
}

export const packOf = (input: EvidenceInput, key: ServiceKey) =>
  buildEvidencePack(input, async (manifest) => compactJws(key, 'dpa-manifest+jws', manifest));
