import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import canonicalize from 'canonicalize';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  leafHash,
  logLine,
  merkleTree,
  RUN_FORMAT,
  RUN_JWS_TYPE,
  type RunBody,
  type RunProof,
  type SealBody,
  type SealedEntry,
  sealBody,
  sealLeaf,
} from '../../../functions/domain/evidence/log-seal.ts';
import {
  buildEvidencePack,
  type EvidenceInput,
  MANIFEST_JWS_TYPE,
} from '../../../functions/domain/evidence/pack.ts';
import { localSigner } from '../../../functions/shared/service-signer.ts';
import { canonicalize as verifierCanonicalize } from '../../../verifier/canonical-json.mjs';
import { auditPathLength, rootFromAuditPath } from '../../../verifier/verify-pack.mjs';
import { runStandardToolsSketch, standardToolsSketch } from '../../support/standard-tools-sketch.ts';
import { AGREEMENT_ID } from '../domain/agreement-fixture.ts';
import {
  compactJws,
  DAILY_SEALS,
  historyEntry,
  jwksOf,
  lifecycleInput,
  lifecycleLogs,
  packOf,
  type ServiceKey,
  serviceKey,
} from './evidence-fixture.ts';

const repository = fileURLToPath(new URL('../../../', import.meta.url));
const key = serviceKey();
const otherKey = serviceKey();
let folder: string;
let pinned: string;
let pinnedOther: string;
let goodPack: Uint8Array;
let runs = 0;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'dpa-evidence-'));
  pinned = join(folder, 'jwks.json');
  pinnedOther = join(folder, 'other-jwks.json');
  writeFileSync(pinned, JSON.stringify(jwksOf(key)));
  writeFileSync(pinnedOther, JSON.stringify(jwksOf(otherKey)));
  goodPack = await packOf(lifecycleInput(key), key);
});

afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Runs the verifier as a user would: `node verifier/dpa-evidence.mjs verify <pack> [--jwks <file>]`. */
function verifyPack(zip: Uint8Array, jwks: string | null = pinned) {
  const pack = join(folder, `pack-${runs++}.zip`);
  writeFileSync(pack, zip);
  const result = spawnSync(
    process.execPath,
    ['verifier/dpa-evidence.mjs', 'verify', pack, ...(jwks ? ['--jwks', jwks] : [])],
    { cwd: repository, encoding: 'utf8' },
  );
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

type Files = Record<string, Uint8Array>;
const filesOf = (zip: Uint8Array): Files => unzipSync(zip);
const zipOf = (files: Files) =>
  zipSync(
    Object.fromEntries(
      Object.keys(files)
        .sort()
        .map((path) => [path, files[path]!]),
    ),
  );
const textOf = (files: Files, path: string) => strFromU8(files[path]!);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * The pack with its manifest made again and signed with the service's key: what someone holding the
 * key (or a faulty exporter) could produce. Only the seals can then tell that the logs are not those
 * that were sealed.
 */
function resigned(files: Files, signer: ServiceKey = key): Uint8Array {
  const manifest = JSON.parse(textOf(files, 'manifest.json'));
  const paths = Object.keys(files)
    .filter((path) => path !== 'manifest.json' && path !== 'manifest.jws')
    .sort();
  manifest.files = paths.map((path) => ({ path, sha256: sha256(files[path]!), size: files[path]!.length }));
  const manifestBytes = strToU8(`${JSON.stringify(manifest, null, 2)}\n`);
  return zipOf({
    ...files,
    'manifest.json': manifestBytes,
    'manifest.jws': strToU8(compactJws(signer, 'dpa-manifest+jws', manifestBytes)),
  });
}

const lines = (files: Files, path: string) => textOf(files, path).slice(0, -1).split('\n');
const withLines = (files: Files, path: string, list: string[]): Files => ({
  ...files,
  [path]: strToU8(`${list.join('\n')}\n`),
});
const idOf = (line: string) => JSON.parse(line).id as string;

const [SEAL_1, SEAL_2, SEAL_3] = ['seals/000001.json', 'seals/000002.json', 'seals/000003.json'] as const;
interface SealFile {
  body: SealBody;
  entries: SealedEntry[];
  run: RunProof;
}
const sealOf = (files: Files, path: string) => JSON.parse(textOf(files, path)) as SealFile;
const withSeal = (files: Files, path: string, seal: unknown): Files => ({
  ...files,
  [path]: strToU8(`${JSON.stringify(seal, null, 2)}\n`),
});
const runBodyOf = (jws: string) =>
  JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString('utf8')) as RunBody;

/**
 * The run of `bodies` as whoever holds the service's key could sign it (with `run` changing the signed
 * run body), and the place in it of the body at `index`.
 */
function runOver(bodies: SealBody[], index: number, run: Partial<RunBody> = {}): RunProof {
  const { root, proofs } = merkleTree(bodies.map(sealLeaf));
  const signed: RunBody = {
    format: RUN_FORMAT,
    sealedAt: bodies[index]!.sealedAt,
    size: bodies.length,
    root,
    ...run,
  };
  return { jws: compactJws(key, RUN_JWS_TYPE, canonicalize(signed) as string), index, proof: proofs[index]! };
}

describe('the offline verifier (npx dpa-evidence verify)', () => {
  it('passes the pack of a whole lifecycle with the keys pinned', () => {
    const { status, output } = verifyPack(goodPack);
    expect(output).toMatch(/^OK$/m);
    expect(output).toContain('3f1c2a4e-8b7d-4c21-9e5f-0a1b2c3d4e5f');
    expect(output).toMatch(/versions\s+1, with 2 signature/);
    expect(output).toMatch(/seals\s+3/);
    expect(output).toMatch(/entries\s+13 history, 9 audit/);
    expect(output).toMatch(/Vedlegg 3\s+1 version/);
    expect(output).not.toContain('WARNING');
    expect(status).toBe(0);
  });

  it('passes a pack sealed and signed by the service’s own (local) signer, with its published keys', async () => {
    const keys = mkdtempSync(join(folder, 'keys-'));
    writeFileSync(join(keys, '0001.jwk.json'), JSON.stringify(key.privateKey.export({ format: 'jwk' })));
    const signer = await localSigner(keys);
    const published = join(folder, 'published-jwks.json');
    writeFileSync(published, JSON.stringify({ keys: await signer.publicKeys() }));
    const { status, output } = verifyPack(
      await buildEvidencePack(lifecycleInput(key), (manifest) => signer.sign(manifest, MANIFEST_JWS_TYPE)),
      published,
    );
    expect(output).toContain(`manifest signed by ${key.kid}`);
    expect(output).toMatch(/^OK$/m);
    expect(status).toBe(0);
  });

  it('passes the pack with its own keys when none are pinned, warning that they were not', () => {
    const { status, output } = verifyPack(goodPack, null);
    expect(output).toMatch(/^OK$/m);
    expect(output).toMatch(/WARNING: the keys were not pinned/);
    expect(status).toBe(0);
  });

  it('names every file of the pack that has one byte changed', () => {
    const files = filesOf(goodPack);
    expect(Object.keys(files).length).toBeGreaterThan(10);
    for (const path of Object.keys(files)) {
      const changed = Uint8Array.from(files[path]!);
      const at = Math.floor(changed.length / 2);
      changed[at] = changed[at]! ^ 0x01;
      const { status, output } = verifyPack(zipOf({ ...files, [path]: changed }));
      expect(output, path).toContain(`FAIL ${path}`);
      expect(status, path).toBe(1);
    }
  });

  it('refuses a second spelling of the manifest signature (base64url bits that decode to the same bytes)', () => {
    const files = filesOf(goodPack);
    const jws = textOf(files, 'manifest.jws');
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    // 64 signature bytes take 86 characters: the last one's two low bits are padding.
    const last = alphabet[alphabet.indexOf(jws.at(-1)!) ^ 0x01]!;
    const respelt = `${jws.slice(0, -1)}${last}`;
    expect(Buffer.from(respelt.split('.')[2]!, 'base64url')).toEqual(
      Buffer.from(jws.split('.')[2]!, 'base64url'),
    );
    const { status, output } = verifyPack(zipOf({ ...files, 'manifest.jws': strToU8(respelt) }));
    expect(output).toContain('FAIL manifest.jws: the JWS signature is not base64url');
    expect(status).toBe(1);
  });

  it('names a file added to the pack', () => {
    const { status, output } = verifyPack(zipOf({ ...filesOf(goodPack), 'notes.txt': strToU8('lagt til') }));
    expect(output).toContain('FAIL notes.txt: unexpected file');
    expect(status).toBe(1);
  });

  it('names the archive entry whose compressed bytes were damaged', () => {
    const zip = Buffer.from(goodPack);
    // The first entry is agreement.json: its data starts after the 30-byte local header and its name.
    const at = 30 + 'agreement.json'.length + 20;
    zip[at] = zip[at]! ^ 0xff;
    const { status, output } = verifyPack(zip);
    expect(output).toMatch(/FAIL (zip: agreement\.json|agreement\.json)/);
    expect(status).toBe(1);
  });

  describe('a log line removed', () => {
    it('fails on the log file’s hash when the manifest is left as it was', () => {
      const files = filesOf(goodPack);
      const history = lines(files, 'logs/history.jsonl');
      const { status, output } = verifyPack(
        zipOf(withLines(files, 'logs/history.jsonl', history.toSpliced(4, 1))),
      );
      expect(output).toContain('FAIL logs/history.jsonl');
      expect(status).toBe(1);
    });

    it('names the line and the missing entry even under a manifest signed again', () => {
      const files = filesOf(goodPack);
      const history = lines(files, 'logs/history.jsonl');
      const { status, output } = verifyPack(
        resigned(withLines(files, 'logs/history.jsonl', history.toSpliced(4, 1))),
      );
      expect(output).toContain('FAIL logs/history.jsonl line 5');
      expect(output).toContain(`seal 2 lists entry ${idOf(history[4]!)} here`);
      expect(status).toBe(1);
    });

    it('names the entry when the last line of a log is removed', () => {
      const files = filesOf(goodPack);
      const audit = lines(files, 'logs/audit.jsonl');
      const { status, output } = verifyPack(
        resigned(withLines(files, 'logs/audit.jsonl', audit.slice(0, -1))),
      );
      expect(output).toContain(
        `FAIL logs/audit.jsonl line ${audit.length}: missing: entry ${idOf(audit.at(-1)!)}`,
      );
      expect(status).toBe(1);
    });
  });

  describe('two log lines swapped', () => {
    it('fails on the log file’s hash when the manifest is left as it was', () => {
      const files = filesOf(goodPack);
      const history = lines(files, 'logs/history.jsonl');
      [history[2], history[3]] = [history[3]!, history[2]!];
      const { status, output } = verifyPack(zipOf(withLines(files, 'logs/history.jsonl', history)));
      expect(output).toContain('FAIL logs/history.jsonl');
      expect(status).toBe(1);
    });

    it('names the first line out of place under a manifest signed again', () => {
      const files = filesOf(goodPack);
      const history = lines(files, 'logs/history.jsonl');
      const [third, fourth] = [history[2]!, history[3]!];
      const { status, output } = verifyPack(
        resigned(withLines(files, 'logs/history.jsonl', history.toSpliced(2, 2, fourth, third))),
      );
      expect(output).toContain(`FAIL logs/history.jsonl line 3: is entry ${idOf(fourth)}`);
      expect(output).toContain(`lists entry ${idOf(third)} here`);
      expect(status).toBe(1);
    });
  });

  it('names a line added after the sealed ones', () => {
    const files = filesOf(goodPack);
    const extra = historyEntry('2027-03-10T08:00:00.000Z', 'NOTE');
    const history = [...lines(files, 'logs/history.jsonl'), logLine(extra.id, extra.entry)];
    const { status, output } = verifyPack(resigned(withLines(files, 'logs/history.jsonl', history)));
    expect(output).toContain(
      `FAIL logs/history.jsonl line ${history.length}: entry ${extra.id} is in no seal`,
    );
    expect(status).toBe(1);
  });

  it('names an entry changed in the table after it was sealed (the next export shows the break)', async () => {
    const logs = lifecycleLogs();
    const input = lifecycleInput(key, logs);
    // Sealed as it was; then its time is edited in DynamoDB before the export reads it.
    const edited = logs.history[3]!;
    const changedInput: EvidenceInput = {
      ...input,
      history: input.history.map((item) =>
        item.id === edited.id
          ? { id: item.id, entry: { ...item.entry, at: '2026-11-19T13:00:00.000Z' } }
          : item,
      ),
    };
    const { status, output } = verifyPack(await packOf(changedInput, key));
    expect(output).toContain('FAIL logs/history.jsonl line 4');
    expect(output).toContain(`entry ${edited.id} is not what seal 2 sealed (changed after sealing)`);
    expect(status).toBe(1);
  });

  it('names an entry that first appears in a seal made long after its time (backdated)', async () => {
    const logs = lifecycleLogs();
    const backdated = historyEntry('2027-02-01T01:40:00.000Z', 'SUB_PROCESSOR_APPROVED');
    logs.history.push(backdated);
    // The daily run of 2027-02-01T02:00 did not see it: it appears only in the export's seal, 20 minutes
    // before the daily seal although no writer takes longer than 15 minutes.
    const input = lifecycleInput(key, logs, new Map([[backdated.id, 2]]));
    const { status, output } = verifyPack(await packOf(input, key));
    expect(output).toMatch(/FAIL logs\/history\.jsonl line \d+/);
    expect(output).toContain(`entry ${backdated.id} is dated 2027-02-01T01:40:00.000Z`);
    expect(output).toContain('backdated');
    expect(status).toBe(1);
  });

  it('accepts an entry that a writer still running stored just after the daily seal', async () => {
    const logs = lifecycleLogs();
    const late = historyEntry('2027-02-01T01:50:00.000Z', 'REMINDER_SENT');
    logs.history.push(late);
    const { status, output } = verifyPack(
      await packOf(lifecycleInput(key, logs, new Map([[late.id, 2]])), key),
    );
    expect(output).toMatch(/^OK$/m);
    expect(status).toBe(0);
  });

  describe('seals', () => {
    it('names a seal whose run JWS payload was changed', () => {
      const files = filesOf(goodPack);
      const seal = sealOf(files, SEAL_2);
      const [header, payload, signature] = seal.run.jws.split('.');
      const body = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as RunBody;
      const forged = Buffer.from(canonicalize({ ...body, root: leafHash('forged') }) as string).toString(
        'base64url',
      );
      seal.run.jws = `${header}.${forged}.${signature}`;
      const { status, output } = verifyPack(resigned(withSeal(files, SEAL_2, seal)));
      expect(output).toContain(
        `FAIL seals/000002.json (run jws): the signature does not verify with key ${key.kid}`,
      );
      expect(status).toBe(1);
    });

    it('names a seal removed from the pack, whether or not the manifest is made again', () => {
      const { 'seals/000002.json': _removed, ...files } = filesOf(goodPack);
      const asWas = verifyPack(zipOf(files));
      expect(asWas.output).toContain('FAIL seals/000002.json: listed in the manifest but missing');
      expect(asWas.status).toBe(1);
      const again = verifyPack(resigned(files));
      expect(again.output).toContain('FAIL seals/000002.json: missing');
      expect(again.status).toBe(1);
    });

    it('names the seal after one replaced by another in a validly signed run (the chain breaks)', () => {
      const files = filesOf(goodPack);
      const first = sealOf(files, SEAL_1);
      const second = sealOf(files, SEAL_2);
      const entries = second.entries.slice(0, -1);
      const body = sealBody(AGREEMENT_ID, 2, DAILY_SEALS[1]!, entries, first.body);
      const manifest = JSON.parse(textOf(files, 'manifest.json'));
      manifest.seals[1] = { seq: 2, root: body.root, size: body.size };
      const { status, output } = verifyPack(
        resigned({
          ...withSeal(files, SEAL_2, { body, entries, run: runOver([body], 0) }),
          'manifest.json': strToU8(JSON.stringify(manifest)),
        }),
      );
      expect(output).toContain(
        "FAIL seals/000003.json: previous is not the SHA-256 of seal 2's body (a seal was removed, replaced or reordered)",
      );
      expect(status).toBe(1);
    });

    it('names a seal whose listed leaves are not those it sealed', () => {
      const files = filesOf(goodPack);
      const seal = sealOf(files, SEAL_1);
      seal.entries[0]!.leaf = leafHash('something else');
      const { status, output } = verifyPack(resigned(withSeal(files, SEAL_1, seal)));
      expect(output).toContain(
        "FAIL seals/000001.json: the Merkle root of the listed leaves is not the body's root (entries changed, added, removed or reordered)",
      );
      expect(status).toBe(1);
    });

    it('names a seal file with a member more or one missing', () => {
      const files = filesOf(goodPack);
      const extra = verifyPack(resigned(withSeal(files, SEAL_2, { ...sealOf(files, SEAL_2), note: 'x' })));
      expect(extra.output).toContain('FAIL seals/000002.json: has "note" besides body, entries and run');
      expect(extra.status).toBe(1);
      const { run: _run, ...withoutRun } = sealOf(files, SEAL_2);
      const missing = verifyPack(resigned(withSeal(files, SEAL_2, withoutRun)));
      expect(missing.output).toContain('FAIL seals/000002.json: is not {body, entries, run}');
      expect(missing.status).toBe(1);
      const seal = sealOf(files, SEAL_2);
      const runMore = verifyPack(
        resigned(withSeal(files, SEAL_2, { ...seal, run: { ...seal.run, root: leafHash('x') } })),
      );
      expect(runMore.output).toContain('FAIL seals/000002.json: run has "root" besides jws, index and proof');
      expect(runMore.status).toBe(1);
    });

    describe('the audit path from the body to the run’s signed root', () => {
      /** Seal 2 was made in a run of five, at index 1: its path is [leaf 0, node(2, 3), leaf 4]. */
      const notLeading = (index: number, size = 5) =>
        `FAIL seals/000002.json: the audit path from the body (leaf ${index} of ${size}) does not lead to the run's signed root (the body, run.index or run.proof changed, or the run is not this seal's)`;

      it('is in place in the pack of a whole lifecycle: seals in runs of five, the last a run of one', () => {
        const files = filesOf(goodPack);
        expect([SEAL_1, SEAL_2, SEAL_3].map((path) => sealOf(files, path).run.index)).toEqual([0, 1, 0]);
        expect(sealOf(files, SEAL_2).run.proof).toHaveLength(3);
        expect(runBodyOf(sealOf(files, SEAL_2).run.jws)).toMatchObject({ format: RUN_FORMAT, size: 5 });
        expect(sealOf(files, SEAL_3).run.proof).toEqual([]);
      });

      it('names a seal with one hash of its proof changed', () => {
        const files = filesOf(goodPack);
        const seal = sealOf(files, SEAL_2);
        seal.run.proof[1] = leafHash('another subtree');
        const { status, output } = verifyPack(resigned(withSeal(files, SEAL_2, seal)));
        expect(output).toContain(notLeading(1));
        expect(status).toBe(1);
      });

      it('names a proof hash that is not 64 lower-case hex digits', () => {
        const files = filesOf(goodPack);
        const seal = sealOf(files, SEAL_2);
        seal.run.proof[2] = seal.run.proof[2]!.toUpperCase();
        const { status, output } = verifyPack(resigned(withSeal(files, SEAL_2, seal)));
        expect(output).toContain('FAIL seals/000002.json: run.proof[2] is not 64 lower-case hex digits');
        expect(status).toBe(1);
      });

      it('names a proof one hash too short and one too long', () => {
        const files = filesOf(goodPack);
        const seal = sealOf(files, SEAL_2);
        const short = verifyPack(
          resigned(
            withSeal(files, SEAL_2, { ...seal, run: { ...seal.run, proof: seal.run.proof.slice(0, -1) } }),
          ),
        );
        expect(short.output).toContain(
          'FAIL seals/000002.json: run.proof has 2 hashes, but the audit path of leaf 1 of a tree of 5 has 3 (too short)',
        );
        expect(short.status).toBe(1);
        const long = verifyPack(
          resigned(
            withSeal(files, SEAL_2, {
              ...seal,
              run: { ...seal.run, proof: [...seal.run.proof, seal.run.proof[0]!] },
            }),
          ),
        );
        expect(long.output).toContain(
          'FAIL seals/000002.json: run.proof has 4 hashes, but the audit path of leaf 1 of a tree of 5 has 3 (too long)',
        );
        expect(long.status).toBe(1);
      });

      it('names a wrong index: another leaf, one outside the tree, one not a whole number', () => {
        const files = filesOf(goodPack);
        const seal = sealOf(files, SEAL_2);
        const at = (index: unknown) =>
          verifyPack(resigned(withSeal(files, SEAL_2, { ...seal, run: { ...seal.run, index } })));
        // Leaf 3 of 5 also has a path of three hashes, so only the root it leads to differs.
        const other = at(3);
        expect(other.output).toContain(notLeading(3));
        expect(other.status).toBe(1);
        // Leaf 4 of 5 has a path of one hash.
        const last = at(4);
        expect(last.output).toContain(
          'FAIL seals/000002.json: run.proof has 3 hashes, but the audit path of leaf 4 of a tree of 5 has 1 (too long)',
        );
        expect(last.status).toBe(1);
        const outside = at(5);
        expect(outside.output).toContain(
          "FAIL seals/000002.json: run.index 5 is not a leaf of the run's tree of 5 seals",
        );
        expect(outside.status).toBe(1);
        for (const index of [1.5, -1, '1', null]) {
          const result = at(index);
          expect(result.output, String(index)).toContain(
            `FAIL seals/000002.json: run.index ${JSON.stringify(index)} is not a whole number`,
          );
          expect(result.status).toBe(1);
        }
      });

      it('names a seal whose run is another seal’s run', () => {
        const files = filesOf(goodPack);
        const seal = sealOf(files, SEAL_2);
        // Seal 1's run: validly signed, a tree of five, but not with seal 2's body at index 0.
        const ofSeal1 = verifyPack(
          resigned(withSeal(files, SEAL_2, { ...seal, run: sealOf(files, SEAL_1).run })),
        );
        expect(ofSeal1.output).toContain(notLeading(0));
        expect(ofSeal1.status).toBe(1);
        // The export's run of one, whose root is seal 3's body.
        const ofSeal3 = verifyPack(
          resigned(withSeal(files, SEAL_2, { ...seal, run: sealOf(files, SEAL_3).run })),
        );
        expect(ofSeal3.output).toContain(notLeading(0, 1));
        expect(ofSeal3.status).toBe(1);
      });

      it('reaches exactly the root of the domain’s tree, for every leaf of trees of 1 to 17 leaves', () => {
        for (let size = 1; size <= 17; size++) {
          const leaves = Array.from({ length: size }, (_, n) => leafHash(`leaf ${n}`));
          const { root, proofs } = merkleTree(leaves);
          leaves.forEach((leaf, index) => {
            const proof = proofs[index]!;
            expect(auditPathLength(index, size), `${index} of ${size}`).toBe(proof.length);
            expect(rootFromAuditPath(leaf, index, size, proof), `${index} of ${size}`).toBe(root);
            expect(() => rootFromAuditPath(leaf, index, size, [...proof, leaf])).toThrow(/longer/);
            if (proof.length > 0) {
              expect(() => rootFromAuditPath(leaf, index, size, proof.slice(0, -1))).toThrow(/shorter/);
            }
          });
        }
      });

      it('follows the worked example of docs/evidence-format.md (five leaves, leaves 2 and 4)', () => {
        const [La, Lb, Lc, Ld, Le] = ['a', 'b', 'c', 'd', 'e'].map(leafHash) as [
          string,
          string,
          string,
          string,
          string,
        ];
        const node = (left: string, right: string) =>
          createHash('sha256')
            .update(Uint8Array.of(1))
            .update(Buffer.from(left, 'hex'))
            .update(Buffer.from(right, 'hex'))
            .digest('hex');
        const Nab = node(La, Lb);
        const Nabcd = node(Nab, node(Lc, Ld));
        const root = 'fe14a5426fbd70c0fa73f52342afed0da0bd23c4838662ccf6b88a3070ead97b';
        expect(node(Nabcd, Le)).toBe(root);
        expect(
          merkleTree([La, Lb, Lc, Ld, Le]).proofs.filter((_, index) => index === 2 || index === 4),
        ).toEqual([[Ld, Nab, Le], [Nabcd]]);
        expect(rootFromAuditPath(Lc, 2, 5, [Ld, Nab, Le])).toBe(root);
        expect(rootFromAuditPath(Le, 4, 5, [Nabcd])).toBe(root);
        const documented = readFileSync(join(repository, 'docs/evidence-format.md'), 'utf8');
        for (const hash of [Ld, Le, Nab, Nabcd, root]) expect(documented).toContain(hash);
      });
    });

    describe('the seal body', () => {
      it('names a body with its root, previous or sealedAt changed: no longer the leaf the run signed', () => {
        const files = filesOf(goodPack);
        const seal = sealOf(files, SEAL_2);
        for (const change of [
          { root: leafHash('other entries') },
          { previous: leafHash('another seal 1') },
          { sealedAt: '2027-02-01T02:05:00.000Z' },
        ]) {
          const { status, output } = verifyPack(
            resigned(withSeal(files, SEAL_2, { ...seal, body: { ...seal.body, ...change } })),
          );
          expect(output, Object.keys(change)[0]).toContain(
            "FAIL seals/000002.json: the audit path from the body (leaf 1 of 5) does not lead to the run's signed root",
          );
          expect(status).toBe(1);
        }
      });

      /** Seal 2 with its body changed and put in a run signed again with the service's key. */
      const resealed = (change: Partial<SealBody>, run: Partial<RunBody> = {}) => {
        const files = filesOf(goodPack);
        const seal = sealOf(files, SEAL_2);
        const body = { ...seal.body, ...change };
        return resigned(withSeal(files, SEAL_2, { ...seal, body, run: runOver([body], 0, run) }));
      };

      it('names a body whose root is not that of its entries, even in a validly signed run', () => {
        const { status, output } = verifyPack(resealed({ root: leafHash('other entries') }));
        expect(output).toContain(
          "FAIL seals/000002.json: the Merkle root of the listed leaves is not the body's root",
        );
        expect(status).toBe(1);
      });

      it('names a body whose previous is not seal 1’s, even in a validly signed run', () => {
        const { status, output } = verifyPack(resealed({ previous: leafHash('another seal 1') }));
        expect(output).toContain(
          "FAIL seals/000002.json: previous is not the SHA-256 of seal 1's body (a seal was removed, replaced or reordered)",
        );
        expect(status).toBe(1);
      });

      it('names a body whose sealedAt is not its run’s', () => {
        const { status, output } = verifyPack(
          resealed({ sealedAt: '2027-02-01T02:05:00.000Z' }, { sealedAt: DAILY_SEALS[1]! }),
        );
        expect(output).toContain(
          "FAIL seals/000002.json: body.sealedAt 2027-02-01T02:05:00.000Z is not the run's sealedAt 2027-02-01T02:00:00.000Z",
        );
        expect(status).toBe(1);
      });

      it('names a body of another agreement, number or format, even in a validly signed run', () => {
        const cases: [Partial<SealBody>, string][] = [
          [{ agreementId: 'other-0' }, `seals agreement "other-0", not ${AGREEMENT_ID}`],
          [{ seq: 3 }, 'the body is seal 3, not 2'],
          [{ format: 'dpa-seal/1' as SealBody['format'] }, 'body.format is "dpa-seal/1", not "dpa-seal/2"'],
        ];
        for (const [change, why] of cases) {
          const { status, output } = verifyPack(resealed(change));
          expect(output).toContain(`FAIL seals/000002.json: ${why}`);
          expect(status).toBe(1);
        }
      });
    });

    describe('the run’s JWS', () => {
      const withRunJws = (jws: (payload: string) => string) => {
        const files = filesOf(goodPack);
        const seal = sealOf(files, SEAL_2);
        const payload = Buffer.from(seal.run.jws.split('.')[1]!, 'base64url').toString('utf8');
        return resigned(withSeal(files, SEAL_2, { ...seal, run: { ...seal.run, jws: jws(payload) } }));
      };

      it('names a run JWS of another typ (a format-1 seal’s)', () => {
        const { status, output } = verifyPack(
          withRunJws((payload) => compactJws(key, 'dpa-seal+jws', payload)),
        );
        expect(output).toContain(
          'FAIL seals/000002.json (run jws): typ is "dpa-seal+jws", not "dpa-seal-run+jws"',
        );
        expect(status).toBe(1);
      });

      it('names a run JWS signed by a key that is not pinned', () => {
        const { status, output } = verifyPack(
          withRunJws((payload) => compactJws(otherKey, RUN_JWS_TYPE, payload)),
        );
        expect(output).toContain(
          `FAIL seals/000002.json (run jws): signed with key ${otherKey.kid}, which is not among the pinned keys (${pinned})`,
        );
        expect(status).toBe(1);
      });

      it('names a run body with a member more, of another format, or not in canonical form', () => {
        const cases: [(run: RunBody) => string, string][] = [
          [
            (run) => canonicalize({ ...run, agreements: 5 }) as string,
            'the signed run body has "agreements" besides format, sealedAt, size and root',
          ],
          [
            (run) => canonicalize({ ...run, format: 'dpa-seal-run/0' }) as string,
            `the signed run body's format is "dpa-seal-run/0", not "${RUN_FORMAT}"`,
          ],
          [(run) => JSON.stringify(run, null, 1), 'the payload is not canonical JSON (RFC 8785)'],
        ];
        for (const [payloadOf, why] of cases) {
          const { status, output } = verifyPack(
            withRunJws((payload) => compactJws(key, RUN_JWS_TYPE, payloadOf(JSON.parse(payload)))),
          );
          expect(output).toContain(`FAIL seals/000002.json (run jws): ${why}`);
          expect(status).toBe(1);
        }
      });
    });
  });

  it('refuses a pack of format dpa-evidence/1, naming it as the earlier format', () => {
    const files = filesOf(goodPack);
    const manifest = JSON.parse(textOf(files, 'manifest.json'));
    manifest.format = 'dpa-evidence/1';
    const { status, output } = verifyPack(
      resigned({ ...files, 'manifest.json': strToU8(JSON.stringify(manifest, null, 2)) }),
    );
    expect(output.trim()).toBe(
      'FAIL manifest.json: format is "dpa-evidence/1", an earlier format whose seals were signed one by one; this verifier reads "dpa-evidence/2" only',
    );
    expect(status).toBe(1);
  });

  describe('content versions', () => {
    it('names a signature made for other content', () => {
      const files = filesOf(goodPack);
      const version = JSON.parse(textOf(files, 'versions/1/version.json'));
      version.signatures[1].contentHash = `sha256:${'0'.repeat(64)}`;
      const { status, output } = verifyPack(
        resigned({ ...files, 'versions/1/version.json': strToU8(JSON.stringify(version)) }),
      );
      expect(output).toContain('FAIL versions/1/version.json: signature 2 (processor) signed "sha256:000');
      expect(status).toBe(1);
    });

    it('warns of a signature made before signatures named a content hash', () => {
      const files = filesOf(goodPack);
      const version = JSON.parse(textOf(files, 'versions/1/version.json'));
      delete version.signatures[0].contentHash;
      const { status, output } = verifyPack(
        resigned({ ...files, 'versions/1/version.json': strToU8(JSON.stringify(version)) }),
      );
      expect(output).toContain(
        'WARNING: versions/1/version.json: signature 1 (controller) names no content hash',
      );
      expect(output).toMatch(/^OK$/m);
      expect(status).toBe(0);
    });

    it('names content that is not in its canonical form, even when its hash is listed', () => {
      const files = filesOf(goodPack);
      const pretty = strToU8(JSON.stringify(JSON.parse(textOf(files, 'versions/1/content.json')), null, 2));
      const version = JSON.parse(textOf(files, 'versions/1/version.json'));
      version.contentHash = `sha256:${sha256(pretty)}`;
      const { status, output } = verifyPack(
        resigned({
          ...files,
          'versions/1/content.json': pretty,
          'versions/1/version.json': strToU8(JSON.stringify(version)),
        }),
      );
      expect(output).toContain('FAIL versions/1/content.json: is not canonical JSON (RFC 8785)');
      expect(status).toBe(1);
    });
  });

  describe('Vedlegg 3', () => {
    it('names a version of Vedlegg 3 that is not what its sealed history entry records', () => {
      const files = filesOf(goodPack);
      const version = JSON.parse(textOf(files, 'appendix-3/1.json'));
      version.approved.push({ id: 'sp-9', name: 'Ukjent AS', personalDataTypes: ['Navn'] });
      const { status, output } = verifyPack(
        resigned({ ...files, 'appendix-3/1.json': strToU8(JSON.stringify(version)) }),
      );
      expect(output).toMatch(
        /FAIL appendix-3\/1\.json: is not the version that logs\/history\.jsonl line \d+ records \(changed\)/,
      );
      expect(status).toBe(1);
    });

    it('names a version removed from the pack, and one no history entry records', () => {
      const files = filesOf(goodPack);
      const { 'appendix-3/1.json': first, ...without } = files;
      const removed = verifyPack(resigned(without));
      expect(removed.output).toMatch(
        /FAIL appendix-3\/1\.json: missing: logs\/history\.jsonl line \d+ records/,
      );
      expect(removed.status).toBe(1);

      const added = verifyPack(resigned({ ...files, 'appendix-3/2.json': first! }));
      expect(added.output).toContain(
        'FAIL appendix-3/2.json: no history entry records this version of Vedlegg 3',
      );
      expect(added.status).toBe(1);
    });
  });

  describe('keys', () => {
    it('names a manifest signed by another key than the pinned one', async () => {
      const input = lifecycleInput(key);
      const zip = await packOf(input, otherKey);
      const { status, output } = verifyPack(zip);
      expect(output).toContain(
        `FAIL manifest.jws: signed with key ${otherKey.kid}, which is not among the pinned keys`,
      );
      expect(status).toBe(1);
    });

    it('names a manifest that claims the service key but was signed by another', () => {
      const impostor = { privateKey: otherKey.privateKey, kid: key.kid } as ServiceKey;
      const { status, output } = verifyPack(resigned(filesOf(goodPack), impostor));
      expect(output).toContain(`FAIL manifest.jws: the signature does not verify with key ${key.kid}`);
      expect(status).toBe(1);
    });

    it('fails a good pack when --jwks pins another key', () => {
      const { status, output } = verifyPack(goodPack, pinnedOther);
      expect(output).toContain(
        `FAIL manifest.jws: signed with key ${key.kid}, which is not among the pinned keys`,
      );
      expect(status).toBe(1);
    });
  });

  it('prints its usage with --help', () => {
    const result = spawnSync(process.execPath, ['verifier/dpa-evidence.mjs', '--help'], {
      cwd: repository,
      encoding: 'utf8',
    });
    expect(result.stdout).toContain('Usage: dpa-evidence verify <pack.zip> [--jwks <file-or-url>]');
    expect(result.status).toBe(0);
  });
});

describe('the verifier’s canonical JSON (RFC 8785)', () => {
  it('serialises the numbers of RFC 8785 Appendix B', () => {
    const samples: [string, string][] = [
      ['0000000000000000', '0'],
      ['8000000000000000', '0'],
      ['0000000000000001', '5e-324'],
      ['8000000000000001', '-5e-324'],
      ['7fefffffffffffff', '1.7976931348623157e+308'],
      ['ffefffffffffffff', '-1.7976931348623157e+308'],
      ['4340000000000000', '9007199254740992'],
      ['c340000000000000', '-9007199254740992'],
      ['4430000000000000', '295147905179352830000'],
      ['44b52d02c7e14af5', '9.999999999999997e+22'],
      ['44b52d02c7e14af6', '1e+23'],
      ['44b52d02c7e14af7', '1.0000000000000001e+23'],
      ['444b1ae4d6e2ef4e', '999999999999999700000'],
      ['444b1ae4d6e2ef4f', '999999999999999900000'],
      ['444b1ae4d6e2ef50', '1e+21'],
      ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
      ['3eb0c6f7a0b5ed8d', '0.000001'],
      ['41b3de4355555553', '333333333.3333332'],
      ['41b3de4355555554', '333333333.33333325'],
      ['41b3de4355555555', '333333333.3333333'],
      ['41b3de4355555556', '333333333.3333334'],
      ['41b3de4355555557', '333333333.33333343'],
      ['becbf647612f3696', '-0.0000033333333333333333'],
      ['43143ff3c1cb0959', '1424953923781206.2'],
    ];
    for (const [ieee, expected] of samples) {
      expect(verifierCanonicalize(Buffer.from(ieee, 'hex').readDoubleBE(0)), ieee).toBe(expected);
    }
    expect(verifierCanonicalize(JSON.parse('333333333.33333329'))).toBe('333333333.3333333');
    expect(verifierCanonicalize(JSON.parse('-0'))).toBe('0');
  });

  it('refuses NaN and the infinities (Appendix B)', () => {
    for (const ieee of ['7fffffffffffffff', '7ff0000000000000']) {
      expect(() => verifierCanonicalize(Buffer.from(ieee, 'hex').readDoubleBE(0))).toThrow(
        /not a JSON number/,
      );
    }
  });

  it('sorts members by their UTF-16 code units (§3.2.3)', () => {
    const input = JSON.parse(
      '{"\\u20ac":"Euro Sign","\\r":"Carriage Return","\\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One",' +
        '"\\ud83d\\ude00":"Emoji: Grinning Face","\\u0080":"Control","\\u00f6":"Latin Small Letter O With Diaeresis"}',
    );
    const order = [...verifierCanonicalize(input).matchAll(/:"([^"]+)"/g)].map((match) => match[1]);
    expect(order).toEqual([
      'Carriage Return',
      'One',
      'Control',
      'Latin Small Letter O With Diaeresis',
      'Euro Sign',
      'Emoji: Grinning Face',
      'Hebrew Letter Dalet With Dagesh',
    ]);
  });

  it('transforms the example of §3.2.2 as the RFC shows', () => {
    const input = JSON.parse(
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],' +
        '"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
    );
    expect(verifierCanonicalize(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('matches the canonicalize package the service uses on a log entry with æøå', () => {
    const entry = {
      type: 'SIGNED',
      at: '2026-11-20T10:00:00.000Z',
      details: { place: 'Tromsø', name: 'Åse Ærø' },
    };
    expect(verifierCanonicalize({ ...entry, id: 'HISTORY#1' })).toBe(logLine('HISTORY#1', entry));
  });
});

/**
 * docs/evidence-format.md promises that a third party can verify a pack with standard tools, and shows
 * how in a shell sketch: the sketch, as printed there, is run on packs here.
 */
describe('the standard-tools sketch of docs/evidence-format.md', () => {
  const runSketch = (zip: Uint8Array) =>
    runStandardToolsSketch(zip, JSON.parse(readFileSync(pinned, 'utf8')));

  it('is in the document', () => {
    const sketch = standardToolsSketch();
    expect(sketch).toContain('verify_jws');
    expect(sketch.trim().endsWith('echo OK')).toBe(true);
  });

  it('passes the pack of a whole lifecycle', async () => {
    const { status, output } = await runSketch(goodPack);
    expect(output.trim()).toBe('OK');
    expect(status).toBe(0);
  });

  it('fails a pack with one byte of a file changed', async () => {
    const files = filesOf(goodPack);
    const changed = Uint8Array.from(files['breaches/br-1.json']!);
    changed[10] = (changed[10] ?? 0) ^ 0x01;
    const { status, output } = await runSketch(zipOf({ ...files, 'breaches/br-1.json': changed }));
    expect(output).not.toMatch(/^OK$/m);
    expect(status).not.toBe(0);
  });

  it('fails a log entry changed after sealing, under a manifest signed again', async () => {
    const files = filesOf(goodPack);
    const history = lines(files, 'logs/history.jsonl');
    history[2] = history[2]!.replace('Radøy', 'Bergen');
    const { status, output } = await runSketch(resigned(withLines(files, 'logs/history.jsonl', history)));
    expect(output).not.toMatch(/^OK$/m);
    expect(status).not.toBe(0);
  });

  it('fails a Vedlegg 3 version that is not what its history entry records', async () => {
    const files = filesOf(goodPack);
    const version = JSON.parse(textOf(files, 'appendix-3/1.json'));
    version.approved = [];
    const { status, output } = await runSketch(
      resigned({ ...files, 'appendix-3/1.json': strToU8(JSON.stringify(version)) }),
    );
    expect(output).not.toMatch(/^OK$/m);
    expect(status).not.toBe(0);
  });

  it('fails a manifest signed by a key that is not pinned', async () => {
    const { status, output } = await runSketch(resigned(filesOf(goodPack), otherKey));
    expect(output).not.toMatch(/^OK$/m);
    expect(status).not.toBe(0);
  });

  it('fails a seal with one hash of its audit path changed (the root it leads to is not the signed one)', async () => {
    const files = filesOf(goodPack);
    const seal = sealOf(files, SEAL_1);
    seal.run.proof[2] = leafHash('another subtree');
    expect(await runSketch(resigned(withSeal(files, SEAL_1, seal)))).toEqual({ status: 1, output: '' });
  });

  it('fails a seal whose run is another seal’s', async () => {
    const files = filesOf(goodPack);
    const tampered = withSeal(files, SEAL_1, { ...sealOf(files, SEAL_1), run: sealOf(files, SEAL_3).run });
    expect(await runSketch(resigned(tampered))).toEqual({ status: 1, output: '' });
  });

  it('fails a seal whose previous is not the seal before’s, in a run signed anew', async () => {
    const files = filesOf(goodPack);
    const seal = sealOf(files, SEAL_2);
    const body = { ...seal.body, previous: leafHash('another seal 1') };
    const chain = withSeal(files, SEAL_2, { ...seal, body, run: runOver([body], 0) });
    expect(await runSketch(resigned(chain))).toEqual({ status: 1, output: '' });
  });

  it('fails a pack of format dpa-evidence/1', async () => {
    const files = filesOf(goodPack);
    const manifest = JSON.parse(textOf(files, 'manifest.json'));
    manifest.format = 'dpa-evidence/1';
    const { status } = await runSketch(
      resigned({ ...files, 'manifest.json': strToU8(JSON.stringify(manifest)) }),
    );
    expect(status).toBe(1);
  });
});
