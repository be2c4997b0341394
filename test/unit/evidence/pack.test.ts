import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { strFromU8, unzipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import { canonicalContent } from '../../../functions/domain/content-hash.ts';
import {
  decodeJwsPayload,
  logLine,
  RUN_JWS_TYPE,
  rootFromProof,
  type SealRecord,
  sealDigest,
  sealLeaf,
} from '../../../functions/domain/evidence/log-seal.ts';
import {
  buildEvidencePack,
  EVIDENCE_FORMAT,
  type EvidenceInput,
} from '../../../functions/domain/evidence/pack.ts';
import {
  DAILY_SEALS,
  EXPORTED_AT,
  historyEntry,
  lifecycleInput,
  packOf,
  serviceKey,
} from './evidence-fixture.ts';

const key = serviceKey();
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A signer without randomness (ECDSA has some), so that two builds can be compared byte for byte. */
const fixedSigner = async (manifest: Uint8Array) =>
  `${Buffer.from('{"alg":"ES256","kid":"test","typ":"dpa-manifest+jws"}').toString('base64url')}.${Buffer.from(manifest).toString('base64url')}.${Buffer.from(sha256(manifest), 'hex').toString('base64url')}`;

const originalTz = process.env.TZ;
afterEach(() => {
  process.env.TZ = originalTz;
});

describe('rule 14: the evidence pack', () => {
  it('holds exactly the files of the format, in path order', async () => {
    const files = unzipSync(await packOf(lifecycleInput(key), key));
    expect(Object.keys(files)).toEqual([
      'agreement.json',
      'appendix-3/1.json',
      'audits/au-1.json',
      'breaches/br-1.json',
      'instructions/in-1.json',
      'keys/jwks.json',
      'logs/audit.jsonl',
      'logs/history.jsonl',
      'manifest.json',
      'manifest.jws',
      'requests/rq-1.json',
      'seals/000001.json',
      'seals/000002.json',
      'seals/000003.json',
      'sub-processors/sp-1.json',
      'termination.json',
      'versions/1/content.json',
      'versions/1/document.pdf',
      'versions/1/version.json',
    ]);
  });

  it('lists every other file in the manifest with its SHA-256 and size, and the seals', async () => {
    const input = lifecycleInput(key);
    const files = unzipSync(await packOf(input, key));
    const manifest = JSON.parse(strFromU8(files['manifest.json']!));
    expect(EVIDENCE_FORMAT).toBe('dpa-evidence/2');
    expect(manifest).toMatchObject({
      format: 'dpa-evidence/2',
      agreementId: input.agreementId,
      exportedAt: input.exportedAt,
      exportedBy: input.exportedBy,
    });
    expect(manifest.files).toEqual(
      Object.keys(files)
        .filter((path) => path !== 'manifest.json' && path !== 'manifest.jws')
        .map((path) => ({ path, sha256: sha256(files[path]!), size: files[path]!.length })),
    );
    expect(manifest.seals).toEqual(input.seals.map(({ body: { seq, root, size } }) => ({ seq, root, size })));
    expect(manifest.seals.map(({ seq, size }: { seq: number; size: number }) => [seq, size])).toEqual(
      input.seals.map(({ entries }, index) => [index + 1, entries.length]),
    );
    expect(strFromU8(files['manifest.json']!)).toBe(`${JSON.stringify(manifest, null, 2)}\n`);
  });

  it('signs exactly the bytes of manifest.json', async () => {
    const files = unzipSync(await packOf(lifecycleInput(key), key));
    const payload = strFromU8(files['manifest.jws']!).split('.')[1]!;
    expect(Buffer.from(payload, 'base64url').equals(Buffer.from(files['manifest.json']!))).toBe(true);
  });

  it('writes each version as its canonical content (whose SHA-256 is the content hash), record and PDF', async () => {
    const input = lifecycleInput(key);
    const files = unzipSync(await packOf(input, key));
    const content = files['versions/1/content.json']!;
    expect(strFromU8(content)).toBe(canonicalContent(input.agreement));
    expect(strFromU8(content)).not.toContain('contacts');
    expect(`sha256:${sha256(content)}`).toBe(input.versions[0]!.contentHash);
    expect(JSON.parse(strFromU8(files['versions/1/version.json']!))).toEqual({
      number: 1,
      contentHash: input.versions[0]!.contentHash,
      effectiveFrom: '2026-11-21',
      signatures: input.agreement.signatures,
    });
    expect(
      Buffer.from(files['versions/1/document.pdf']!).equals(Buffer.from(input.versions[0]!.document)),
    ).toBe(true);
  });

  it('writes the termination facts of the record, and no termination file when there are none', async () => {
    const input = lifecycleInput(key);
    const files = unzipSync(await packOf(input, key));
    expect(Object.keys(JSON.parse(strFromU8(files['termination.json']!)))).toEqual([
      'attestation',
      'dataDisposition',
      'terminatedAt',
      'terminatesOn',
      'termination',
    ]);
    const {
      termination: _t,
      terminatesOn: _o,
      terminatedAt: _a,
      dataDisposition: _d,
      attestation: _s,
      ...inForce
    } = input.agreement;
    const withoutTermination = unzipSync(
      await packOf({ ...input, agreement: { ...inForce, status: 'IN_FORCE' } }, key),
    );
    expect(withoutTermination['termination.json']).toBeUndefined();
  });

  it('writes each version of Vedlegg 3 as the history entry that recorded it, with the entry’s id', async () => {
    const input = lifecycleInput(key);
    const recorded = input.history.find(({ entry }) => entry.type === 'APPENDIX_3_VERSION')!;
    const files = unzipSync(await packOf(input, key));
    expect(JSON.parse(strFromU8(files['appendix-3/1.json']!))).toEqual({
      ...(recorded.entry.details as object),
      entry: recorded.id,
    });
  });

  it('writes the logs in seal order, one canonical line per entry, each ending in a newline', async () => {
    const input = lifecycleInput(key);
    const files = unzipSync(await packOf(input, key));
    const byId = new Map([...input.history, ...input.audit].map(({ id, entry }) => [id, entry]));
    const sealedOrder = input.seals.flatMap((seal) => seal.entries.map(({ id }) => id));
    const expected = (prefix: string) =>
      sealedOrder
        .filter((id) => id.startsWith(prefix))
        .map((id) => `${logLine(id, byId.get(id)!)}\n`)
        .join('');
    expect(strFromU8(files['logs/history.jsonl']!)).toBe(expected('HISTORY#'));
    expect(strFromU8(files['logs/audit.jsonl']!)).toBe(expected('AUDIT#'));
    expect(strFromU8(files['logs/history.jsonl']!).split('\n')).toHaveLength(input.history.length + 1);
  });

  it('writes each seal as exactly its body, the entries it covers and its run, as given', async () => {
    const input = lifecycleInput(key);
    const files = unzipSync(await packOf(input, key));
    expect(input.seals).toHaveLength(3);
    input.seals.forEach((seal, index) => {
      const path = `seals/${String(index + 1).padStart(6, '0')}.json`;
      const written = JSON.parse(strFromU8(files[path]!));
      expect(Object.keys(written), path).toEqual(['body', 'entries', 'run']);
      expect(written, path).toEqual({ body: seal.body, entries: seal.entries, run: seal.run });
      // Written with sorted keys, as every JSON file of the pack.
      expect(Object.keys(written.run), path).toEqual(['index', 'jws', 'proof']);
      expect(Object.keys(written.body), path).toEqual([
        'agreementId',
        'format',
        'previous',
        'root',
        'sealedAt',
        'seq',
        'size',
      ]);
      expect(strFromU8(files[path]!), path).toBe(`${JSON.stringify(written, null, 2)}\n`);
    });
    expect(JSON.parse(strFromU8(files['seals/000001.json']!)).body as SealRecord['body']).toMatchObject({
      format: 'dpa-seal/2',
      seq: 1,
      sealedAt: DAILY_SEALS[0],
      previous: null,
    });
  });

  it('chains each written seal to the digest of the body before it', async () => {
    const files = unzipSync(await packOf(lifecycleInput(key), key));
    const bodies = ['000001', '000002', '000003'].map(
      (seq) => JSON.parse(strFromU8(files[`seals/${seq}.json`]!)).body as SealRecord['body'],
    );
    expect(bodies.map(({ seq, sealedAt }) => [seq, sealedAt])).toEqual([
      [1, DAILY_SEALS[0]],
      [2, DAILY_SEALS[1]],
      [3, EXPORTED_AT],
    ]);
    expect(bodies.map(({ previous }) => previous)).toEqual([
      null,
      sealDigest(bodies[0]!),
      sealDigest(bodies[1]!),
    ]);
  });

  it('carries in each seal the run’s JWS, whose payload is the run body that the seal’s path leads to', async () => {
    const files = unzipSync(await packOf(lifecycleInput(key), key));
    const seals = ['000001', '000002', '000003'].map(
      (seq) => JSON.parse(strFromU8(files[`seals/${seq}.json`]!)) as SealRecord,
    );
    // The daily seals share a run with four other agreements' seals (at index k mod 5); the export's
    // own seal is a run of one.
    const expected = [
      { sealedAt: DAILY_SEALS[0], size: 5, index: 0, pathLength: 3 },
      { sealedAt: DAILY_SEALS[1], size: 5, index: 1, pathLength: 3 },
      { sealedAt: EXPORTED_AT, size: 1, index: 0, pathLength: 0 },
    ];
    seals.forEach(({ body, run }, k) => {
      const [header, payload, signature] = run.jws.split('.');
      expect(JSON.parse(Buffer.from(header!, 'base64url').toString('utf8'))).toEqual({
        alg: 'ES256',
        kid: key.kid,
        typ: RUN_JWS_TYPE,
      });
      expect(RUN_JWS_TYPE).toBe('dpa-seal-run+jws');
      expect(Buffer.from(signature!, 'base64url')).toHaveLength(64);
      // The payload is the RFC 8785 form of the run body.
      expect(Buffer.from(payload!, 'base64url').toString('utf8')).toBe(
        canonicalize(decodeJwsPayload(run.jws)),
      );
      const runBody = decodeJwsPayload(run.jws) as {
        format: string;
        sealedAt: string;
        size: number;
        root: string;
      };
      expect(Object.keys(runBody).sort()).toEqual(['format', 'root', 'sealedAt', 'size']);
      expect(runBody).toMatchObject({
        format: 'dpa-seal-run/1',
        sealedAt: expected[k]!.sealedAt,
        size: expected[k]!.size,
      });
      expect(runBody.sealedAt).toBe(body.sealedAt);
      expect(run.index, `seal ${k + 1}`).toBe(expected[k]!.index);
      expect(run.proof, `seal ${k + 1}`).toHaveLength(expected[k]!.pathLength);
      expect(rootFromProof(sealLeaf(body), run.index, runBody.size, run.proof), `seal ${k + 1}`).toBe(
        runBody.root,
      );
      // Another body (here one more entry claimed) does not lead there.
      const changed = { ...body, size: body.size + 1 };
      expect(rootFromProof(sealLeaf(changed), run.index, runBody.size, run.proof)).not.toBe(runBody.root);
    });
    expect(seals[2]!.run.proof).toEqual([]);
    expect((decodeJwsPayload(seals[2]!.run.jws) as { root: string }).root).toBe(sealLeaf(seals[2]!.body));
    // Nor does the seal at another place of its run.
    expect(rootFromProof(sealLeaf(seals[1]!.body), 0, 5, seals[1]!.run.proof)).not.toBe(
      (decodeJwsPayload(seals[1]!.run.jws) as { root: string }).root,
    );
    expect(seals[0]!.run.jws).not.toBe(seals[1]!.run.jws);
  });

  it('is the same bytes for the same input, whatever the machine’s time zone', async () => {
    const input = lifecycleInput(key);
    process.env.TZ = 'UTC';
    const first = await buildEvidencePack(input, fixedSigner);
    process.env.TZ = 'Europe/Oslo';
    const second = await buildEvidencePack(structuredClone(input), fixedSigner);
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
  });

  it('stamps every entry with the export time (UTC) in the ZIP headers', async () => {
    process.env.TZ = 'America/New_York';
    const zip = Buffer.from(await buildEvidencePack(lifecycleInput(key), fixedSigner));
    // The first local header: DOS time at offset 10, DOS date at offset 12 (2027-03-10 08:30:00).
    expect(zip.readUInt32LE(0)).toBe(0x04034b50);
    expect(zip.readUInt16LE(10)).toBe((8 << 11) | (30 << 5));
    expect(zip.readUInt16LE(12)).toBe(((2027 - 1980) << 9) | (3 << 5) | 10);
  });

  it('refuses to export an entry that is in no seal', async () => {
    const input = lifecycleInput(key);
    const unsealed = historyEntry('2027-03-10T08:29:00.000Z', 'NOTE');
    await expect(packOf({ ...input, history: [...input.history, unsealed] }, key)).rejects.toThrow(
      `Entry ${unsealed.id} is in no seal`,
    );
  });

  it('exports a seal whose entry is gone from the table, leaving the gap for the verifier to name', async () => {
    const input = lifecycleInput(key);
    const [gone, ...rest] = input.audit;
    const files = unzipSync(await packOf({ ...input, audit: rest }, key));
    const audit = strFromU8(files['logs/audit.jsonl']!);
    expect(audit).not.toContain(gone!.id);
    expect(audit.split('\n')).toHaveLength(rest.length + 1);
    expect(strFromU8(files['seals/000001.json']!)).toContain(gone!.id);
  });

  it('refuses seals out of order, a seal of another agreement and entries filed in the wrong log', async () => {
    const input = lifecycleInput(key);
    await expect(packOf({ ...input, seals: [...input.seals].reverse() }, key)).rejects.toThrow(
      'Seal 1 of the pack is numbered 3',
    );
    const [first, ...rest] = input.seals;
    const foreign = { ...first!, body: { ...first!.body, agreementId: 'other-0' } };
    await expect(packOf({ ...input, seals: [foreign, ...rest] }, key)).rejects.toThrow(
      `Seal 1 is of agreement other-0, not ${input.agreementId}`,
    );
    await expect(
      packOf({ ...input, history: [...input.history, ...input.audit], audit: [] }, key),
    ).rejects.toThrow(/is not a history entry/);
  });

  it('refuses a record whose id cannot be a file name', async () => {
    const input: EvidenceInput = { ...lifecycleInput(key), breaches: [{ id: '../agreement' }] };
    await expect(packOf(input, key)).rejects.toThrow(/without a usable id/);
  });

  it('refuses a manifest signature that does not carry the manifest', async () => {
    await expect(buildEvidencePack(lifecycleInput(key), async () => 'e30.e30.c2ln')).rejects.toThrow(
      /does not carry the manifest/,
    );
  });
});
