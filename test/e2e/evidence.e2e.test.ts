import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DeleteItemCommand, DynamoDBClient, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dynamoClient } from '../../functions/shared/clients.ts';
import { readZip } from '../../verifier/zip-reader.mjs';
import {
  ApiClient,
  agreementRequest,
  breachReport,
  CONTROLLER_ORG,
  OUTSIDER_ORG,
  PROCESSOR_ORG,
  signature,
} from '../support/api-client.ts';
import {
  type InProcessStack,
  osloDateOf,
  plusDays,
  startInProcessStack,
} from '../support/in-process-stack.ts';
import { LocalStackProcess } from '../support/local-stack-process.ts';
import { runStandardToolsSketch } from '../support/standard-tools-sketch.ts';

const run = promisify(execFile);

async function verify(pack: Buffer, jwks: unknown): Promise<{ code: number; output: string }> {
  const folder = await mkdtemp(join(tmpdir(), 'evidence-'));
  await writeFile(join(folder, 'pack.zip'), pack);
  await writeFile(join(folder, 'jwks.json'), JSON.stringify(jwks));
  try {
    const { stdout, stderr } = await run(process.execPath, [
      'verifier/dpa-evidence.mjs',
      'verify',
      join(folder, 'pack.zip'),
      '--jwks',
      join(folder, 'jwks.json'),
    ]);
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

/** Rule 14 on the local stack: the daily seal run, the published keys, and a pack that verifies offline. */
describe('sealed logs and the evidence pack on the local stack', () => {
  let stack: LocalStackProcess;
  let controller: ApiClient;
  let processor: ApiClient;
  let outsider: ApiClient;

  beforeAll(async () => {
    stack = await LocalStackProcess.create();
    await stack.start();
    controller = await ApiClient.forOrganisation(stack.url, CONTROLLER_ORG);
    processor = await ApiClient.forOrganisation(stack.url, PROCESSOR_ORG);
    outsider = await ApiClient.forOrganisation(stack.url, OUTSIDER_ORG);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('seals the day’s entries in the night, tells both parties, and exports a pack the verifier accepts', async () => {
    const created = await controller.post('/agreements', agreementRequest());
    const id = created.body.id as string;
    const contentHash = created.body.contentHash as string;
    await controller.post(`/agreements/${id}/submit`);
    await processor.post(`/agreements/${id}/signatures`, signature('Åse Prøvesen', 'Tromsø', contentHash));
    await controller.post(`/agreements/${id}/signatures`, signature('Kari Testesen', 'Radøy', contentHash));
    const now = new Date((await controller.get<{ now: string }>('/local/clock')).body.now);
    const report = await processor.post(
      `/agreements/${id}/breaches`,
      breachReport(new Date(now.getTime() - 3_600_000).toISOString()),
    );
    expect(report.status).toBe(201);
    const breachId = report.body.id as string;
    // A case with a question, its answer and a supplement, and a sub-processor request with its decision.
    expect(
      (
        await controller.post(`/agreements/${id}/breaches/${breachId}/questions`, {
          question: 'Hvem ble varslet?',
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await processor.post(`/agreements/${id}/breaches/${breachId}/questions/1/answer`, {
          answer: 'Ingen ennå',
        })
      ).status,
    ).toBe(200);
    expect(
      (await processor.post(`/agreements/${id}/breaches/${breachId}/updates`, { facts: 'Ett brev til' }))
        .status,
    ).toBe(201);
    const requested = await processor.post(`/agreements/${id}/sub-processors`, {
      name: 'Drift AS',
      address: 'Storgata 1, 0155 Oslo',
      processingLocation: { city: 'Oslo', countryCode: 'NO' },
      activities: 'Drift og backup av fagsystemet',
      personalDataTypes: ['Navn'],
    });
    expect(requested.status).toBe(202);
    const subId = requested.body.id as string;
    expect(
      (
        await controller.post(`/agreements/${id}/sub-processors/${subId}/decision`, {
          decision: 'APPROVED',
          reason: 'Driftsleverandør i Norge',
          signatory: { name: 'Kari Testesen', title: 'Personvernombud' },
        })
      ).status,
    ).toBe(200);

    // Rule 16: an oversight audit with a small document and a finding, a forwarded request with a
    // task, and an instruction acknowledged.
    const today = osloDateOf(now);
    const audit = await controller.post(`/agreements/${id}/audits`, {
      type: 'DOCUMENT_REVIEW',
      scope: 'Tilgangsstyring og logging',
      dueOn: plusDays(today, 60),
    });
    expect(audit.status).toBe(201);
    const auditId = audit.body.id as string;
    const material = await processor.post(`/agreements/${id}/audits/${auditId}/material`, {
      documents: [
        {
          name: 'Rutine.txt',
          sha256: 'f0e4c2f76c58916ec258f246851bea091d14d4247a2fc3e18694461b1816e13b',
          size: 4,
          mediaType: 'text/plain',
          content: 'YXNkZg==',
        },
      ],
    });
    expect(material.status).toBe(201);
    const finding = await controller.post(`/agreements/${id}/audits/${auditId}/findings`, {
      description: 'Tilganger fjernes for sent',
      deadline: plusDays(today, 30),
      responsible: 'processor',
    });
    expect(finding.status).toBe(201);
    const forwarded = await processor.post(`/agreements/${id}/requests`, {
      from: 'DATA_SUBJECT',
      kind: 'ACCESS',
      receivedAt: new Date(now.getTime() - 3_600_000).toISOString(),
      asked: 'Innsyn i opplysninger om seg selv',
    });
    expect(forwarded.status).toBe(201);
    const requestId = forwarded.body.id as string;
    expect(
      (
        await controller.post(`/agreements/${id}/requests/${requestId}/tasks`, {
          description: 'Hent ut registreringene',
          dueOn: plusDays(today, 7),
        })
      ).status,
    ).toBe(201);
    const instruction = await controller.post(`/agreements/${id}/instructions`, {
      topic: 'SECURITY',
      title: 'Tofaktorautentisering',
      text: 'Tilgang til fagsystemet skal bare gis med tofaktorautentisering.',
    });
    expect(instruction.status).toBe(201);
    const instructionId = instruction.body.id as string;
    expect(
      (await processor.post(`/agreements/${id}/instructions/${instructionId}/acknowledgement`, {})).status,
    ).toBe(200);

    // The seal run at 01:30 Oslo time seals what was written today: one signed tree over every
    // agreement it sealed, announced once to each organisation party to one of them.
    expect((await controller.post('/local/clock', { advanceBy: 'P1D' })).status).toBe(200);
    const sealed = (await sealRunsToldTo(controller)).filter(({ sealedAt }) => sealedAt > now.toISOString());
    expect(sealed).toHaveLength(1);
    expect(sealed[0]).toMatchObject({
      root: expect.stringMatching(/^[0-9a-f]{64}$/),
      size: expect.any(Number),
      agreements: expect.any(Number),
      jws: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
    });

    const jwks = (await outsider.get('/.well-known/jwks.json')).body;
    expect(jwks.keys).toEqual([expect.objectContaining({ kty: 'EC', crv: 'P-256', alg: 'ES256' })]);

    const pack = await controller.getBytes(`/agreements/${id}/evidence`);
    expect(pack.status).toBe(200);
    expect(pack.headers.get('content-type')).toBe('application/zip');
    const verified = await verify(pack.body, jwks);
    expect(verified.output).toMatch(/^OK/m);
    expect(verified.code).toBe(0);
    // The bash sketch of docs/evidence-format.md, on standard tools only, agrees.
    expect(await runStandardToolsSketch(pack.body, jwks)).toEqual({ status: 0, output: 'OK\n' });

    // Seal 1 is in the nightly run's tree, and the export sealed its own audit entry as seal 2, a run of
    // its own: each party was sent both runs' signed roots, so it can check the pack's seals itself.
    const files = readZip(pack.body) as Map<string, Uint8Array>;
    const runOf = (path: string) =>
      (JSON.parse(Buffer.from(files.get(path)!).toString('utf8')) as { run: { jws: string } }).run.jws;
    expect([...files.keys()].filter((path) => path.startsWith('seals/'))).toEqual([
      'seals/000001.json',
      'seals/000002.json',
    ]);
    for (const party of [controller, processor]) {
      const told = (await sealRunsToldTo(party)).map(({ jws }) => jws);
      expect(told).toEqual(expect.arrayContaining([runOf('seals/000001.json'), runOf('seals/000002.json')]));
    }

    // Each record in the pack is the record as the API answers it (the pack sorts the keys).
    const json = (path: string) => JSON.parse(Buffer.from(files.get(path)!).toString('utf8')) as unknown;
    expect(json('agreement.json')).toEqual((await controller.get(`/agreements/${id}`)).body);
    expect(json(`breaches/${breachId}.json`)).toEqual(
      (await controller.get(`/agreements/${id}/breaches/${breachId}`)).body,
    );
    for (const [file, path] of [
      [`audits/${auditId}.json`, `/agreements/${id}/audits/${auditId}`],
      [`requests/${requestId}.json`, `/agreements/${id}/requests/${requestId}`],
      [`instructions/${instructionId}.json`, `/agreements/${id}/instructions/${instructionId}`],
    ] as const) {
      expect(json(file)).toEqual((await controller.get(path)).body);
    }
    expect(json(`sub-processors/${subId}.json`)).toEqual(
      (await controller.get(`/agreements/${id}/sub-processors/${subId}`)).body,
    );

    // A pack changed by one byte fails verification.
    const tampered = Buffer.from(pack.body);
    const middle = Math.floor(tampered.length / 2);
    tampered.writeUInt8(tampered.readUInt8(middle) ^ 0x01, middle);
    expect((await verify(tampered, jwks)).code).toBe(1);
  });

  /** The seal runs an organisation was told of (`audit.sealed`, of no one agreement). */
  async function sealRunsToldTo(party: ApiClient) {
    const items = (await party.get<{ items: Record<string, unknown>[] }>('/notifications?limit=100')).body
      .items;
    return items
      .filter((notification) => notification.type === 'audit.sealed')
      .map((notification) => {
        expect(notification.agreementId).toBeUndefined();
        return notification.details as {
          sealedAt: string;
          size: number;
          root: string;
          jws: string;
          agreements: number;
        };
      });
  }

  it('gives a non-party the same 404 as a missing agreement, and writes nothing', async () => {
    const created = await controller.post('/agreements', agreementRequest());
    const pack = await outsider.getBytes(`/agreements/${created.body.id}/evidence`);
    expect(pack.status).toBe(404);
    const log = await controller.get<{ items: { action: string }[] }>(
      `/agreements/${created.body.id}/audit-log`,
    );
    expect(log.body.items.map((entry) => entry.action)).not.toContain('evidence.exported');
  });
});

/**
 * Rule 14: an entry changed or removed directly in DynamoDB after it was sealed is not hidden by the
 * next export: the pack carries the break, and the verifier names the entry.
 */
describe('seal runs and a log edited in the table, on an in-process stack', () => {
  let local: InProcessStack;
  let dynamo: DynamoDBClient;

  beforeAll(async () => {
    local = await startInProcessStack({ dynamoEndpoint: inject('dynamoEndpoint') });
    dynamo = new DynamoDBClient({
      endpoint: local.dynamoEndpoint,
      region: 'eu-north-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });

  afterAll(async () => {
    dynamo?.destroy();
    await local?.stop();
  });

  const logItems = async (id: string, prefix: string) =>
    (
      await dynamo.send(
        new QueryCommand({
          TableName: local.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': { S: `AGREEMENT#${id}` }, ':prefix': { S: prefix } },
          ConsistentRead: true,
        }),
      )
    ).Items ?? [];

  /** What the stack's clock reads now. */
  const clockOf = async (client: ApiClient) => (await client.get<{ now: string }>('/local/clock')).body.now;

  /** The `audit.sealed` an organisation was sent for runs after `after`. */
  const runsToldTo = async (client: ApiClient, after: string) =>
    (await client.get<{ items: Record<string, unknown>[] }>('/notifications?limit=100')).body.items
      .filter((notification) => notification.type === 'audit.sealed' && String(notification.at) > after)
      .map(
        (notification) =>
          notification.details as { root: string; jws: string; size: number; agreements: number },
      );

  /**
   * An agreement's seal items as stored: sort key and, for each seal of format 2 it holds, its seq and
   * the hash it names as previous.
   */
  const sealItems = async (id: string) =>
    (await logItems(id, 'SEAL#'))
      .map((item) => ({
        sk: item.sk!.S,
        seals: (item.seals?.L ?? [])
          .map((seal) => seal.M!.body!.M!)
          .filter((body) => body.format?.S === 'dpa-seal/2')
          .map((body) => ({ seq: Number(body.seq!.N), previous: body.previous!.S ?? null })),
      }))
      .filter((item) => item.seals.length > 0);

  it('seals a night as one signed tree, tells each organisation once, and keeps each agreement’s chain', async () => {
    // Organisations of their own: what they are told is of these agreements alone.
    const [municipality, host, other] = ['910000004', '910000012', '910000020'];
    const controller = await ApiClient.forOrganisation(local.url, municipality);
    const create = async (processor: string) =>
      (
        await controller.post(
          '/agreements',
          agreementRequest({
            controller: { orgNumber: municipality, name: 'Prøve kommune' },
            processor: { orgNumber: processor, name: `Leverandør ${processor}` },
          }),
        )
      ).body.id as string;
    const [first, second, third] = [await create(host), await create(host), await create(other)];

    // Night 1 seals all three in one run: each organisation is sent that run once, with how many of
    // its agreements it sealed, and all are sent the same signed root.
    const beforeFirst = await clockOf(controller);
    expect((await controller.post('/local/clock', { advanceBy: 'P1D' })).status).toBe(200);
    const told = {
      municipality: await runsToldTo(controller, beforeFirst),
      host: await runsToldTo(await ApiClient.forOrganisation(local.url, host), beforeFirst),
      other: await runsToldTo(await ApiClient.forOrganisation(local.url, other), beforeFirst),
    };
    expect(told.municipality.map(({ agreements }) => agreements)).toEqual([3]);
    expect(told.host.map(({ agreements }) => agreements)).toEqual([2]);
    expect(told.other.map(({ agreements }) => agreements)).toEqual([1]);
    expect(new Set([told.municipality, told.host, told.other].map(([run]) => run!.jws)).size).toBe(1);
    expect(told.municipality[0]!.size).toBeGreaterThanOrEqual(3);
    for (const id of [first, second, third]) {
      expect(await sealItems(id)).toEqual([{ sk: 'SEAL#LATEST', seals: [{ seq: 1, previous: null }] }]);
    }

    // Night 2 seals only the agreement read since: its new seal names the first and joins it in the
    // latest item (one write); the other processor is told nothing.
    expect((await controller.get(`/agreements/${first}`)).status).toBe(200);
    const beforeSecond = await clockOf(controller);
    expect((await controller.post('/local/clock', { advanceBy: 'P1D' })).status).toBe(200);
    expect((await runsToldTo(controller, beforeSecond)).map(({ agreements }) => agreements)).toEqual([1]);
    expect(await runsToldTo(await ApiClient.forOrganisation(local.url, other), beforeSecond)).toEqual([]);
    expect(await sealItems(first)).toEqual([
      {
        sk: 'SEAL#LATEST',
        seals: [
          { seq: 1, previous: null },
          { seq: 2, previous: expect.stringMatching(/^[0-9a-f]{64}$/) },
        ],
      },
    ]);

    // An export racing the night's run over the same agreement: whichever loses is refused whole (the
    // export with 409, the run leaving it for the next night), and the chain stays unbroken.
    expect((await controller.get(`/agreements/${second}`)).status).toBe(200);
    const [raced] = await Promise.all([
      controller.getBytes(`/agreements/${second}/evidence`),
      controller.post('/local/clock', { advanceBy: 'P1D' }),
    ]);
    expect([200, 409]).toContain(raced.status);
    const jwks = (await controller.get('/.well-known/jwks.json')).body;
    const pack = await controller.getBytes(`/agreements/${second}/evidence`);
    expect(pack.status).toBe(200);
    expect((await verify(pack.body, jwks)).output).toMatch(/^OK/m);
    const seqs = (await sealItems(second)).flatMap(({ seals }) => seals.map(({ seq }) => seq));
    expect(seqs.at(-1)).toBe(seqs.length);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs.map((_, index) => index + 1));

    // Seals of format 1, left in a data folder from before format 2, are not read: an agreement with
    // only those has no seal yet, so the export's seal is its first, and the pack verifies.
    const fourth = await create(other);
    for (const seq of [1, 2]) {
      await dynamo.send(
        new PutItemCommand({
          TableName: local.tableName,
          Item: {
            pk: { S: `AGREEMENT#${fourth}` },
            sk: { S: `SEAL#00000${seq}` },
            entity: { S: 'seal' },
            seq: { N: String(seq) },
            jws: { S: 'eyJhbGciOiJFUzI1NiJ9.e30.AA' },
            entries: { L: [] },
          },
        }),
      );
    }
    const upgraded = await controller.getBytes(`/agreements/${fourth}/evidence`);
    expect(upgraded.status).toBe(200);
    expect((await verify(upgraded.body, jwks)).output).toMatch(/^OK/m);
    const files = readZip(upgraded.body) as Map<string, Uint8Array>;
    expect([...files.keys()].filter((path) => path.startsWith('seals/'))).toEqual(['seals/000001.json']);
    expect(await sealItems(fourth)).toEqual([{ sk: 'SEAL#LATEST', seals: [{ seq: 1, previous: null }] }]);
  });

  it('finds a quiet night quiet in one PartiQL statement, and reads the index only after a busy day', async () => {
    const controller = await ApiClient.forOrganisation(local.url, CONTROLLER_ORG);
    /** The seal run's reads of the day's entries (a probe, or queries of the index) while `advance` runs. */
    const readsOfEntries = async (advance: string) => {
      const reads: string[] = [];
      const name = `entriesRead-${randomUUID()}`;
      dynamoClient().middlewareStack.add(
        (next, context) => async (args) => {
          const input = args.input as { IndexName?: string; Statement?: string };
          if (context.commandName === 'ExecuteStatementCommand') reads.push(`probe ${input.Statement}`);
          if (context.commandName === 'QueryCommand' && input.IndexName === 'entriesByDay')
            reads.push('query');
          return next(args);
        },
        { step: 'initialize', name },
      );
      try {
        expect((await controller.post('/local/clock', { advanceBy: advance })).status).toBe(200);
      } finally {
        dynamoClient().middlewareStack.remove(name);
      }
      return reads;
    };
    // Nothing written for two days: the next night is found quiet by the probe alone.
    await readsOfEntries('P2D');
    const quiet = await readsOfEntries('P1D');
    expect(quiet).toHaveLength(1);
    expect(quiet[0]).toMatch(
      /^probe SELECT "gsi3sk" FROM "[^"]+"\."entriesByDay" WHERE "gsi3pk" IN \[(\?, ){15}\?\]$/,
    );

    // A day with an agreement created: the probe finds it, and both days' shards are read whole.
    await controller.post('/agreements', agreementRequest());
    const busy = await readsOfEntries('P1D');
    expect(busy.filter((read) => read.startsWith('probe'))).toHaveLength(1);
    expect(busy.filter((read) => read === 'query')).toHaveLength(16);
  });

  it('makes the next export fail verification, naming the changed and then the removed entry', async () => {
    const controller = await ApiClient.forOrganisation(local.url, CONTROLLER_ORG);
    const processor = await ApiClient.forOrganisation(local.url, PROCESSOR_ORG);
    const created = await controller.post(
      '/agreements',
      agreementRequest({
        subProcessors: [
          {
            name: 'Drift Nord AS',
            orgNumber: '953264382',
            address: 'Storgata 1, 0155 Oslo',
            processingLocation: { city: 'Oslo', countryCode: 'NO' },
            activities: 'Drift og backup av fagsystemet',
            personalDataTypes: ['Navn'],
          },
        ],
      }),
    );
    const id = created.body.id as string;
    const contentHash = created.body.contentHash as string;
    await controller.post(`/agreements/${id}/submit`);
    await processor.post(`/agreements/${id}/signatures`, signature('Åse Prøvesen', 'Tromsø', contentHash));
    await controller.post(`/agreements/${id}/signatures`, signature('Kari Testesen', 'Radøy', contentHash));
    expect((await controller.get(`/agreements/${id}/history`)).status).toBe(200);
    expect((await controller.post('/local/clock', { advanceBy: 'P1D' })).status).toBe(200);
    const jwks = (await controller.get('/.well-known/jwks.json')).body;
    const export_ = async () => {
      const pack = await controller.getBytes(`/agreements/${id}/evidence`);
      expect(pack.status).toBe(200);
      return verify(pack.body, jwks);
    };
    const first = await export_();
    expect(first.code).toBe(0);
    // Vedlegg 3 version 1, approved by the signatures, is in the pack and bound to its history entry.
    expect(first.output).toMatch(/Vedlegg 3\s+1 version/);

    // The entry of the processor's signature, rewritten to say it was signed somewhere else.
    const signed = (await logItems(id, 'HISTORY#')).find(
      (item) => item.type?.S === 'SIGNED' && JSON.stringify(item).includes('Tromsø'),
    );
    expect(signed).toBeDefined();
    const rewritten = JSON.parse(JSON.stringify(signed).replaceAll('Tromsø', 'Bodø'));
    await dynamo.send(new PutItemCommand({ TableName: local.tableName, Item: rewritten }));
    const changed = await export_();
    expect(changed.code).toBe(1);
    expect(changed.output).toMatch(/^FAIL logs\/history\.jsonl line \d+: /m);
    expect(changed.output).toContain(`entry ${signed!.sk!.S} is not what seal 1 sealed`);

    // Put back as it was, the log verifies again.
    await dynamo.send(new PutItemCommand({ TableName: local.tableName, Item: signed! }));
    expect((await export_()).output).toMatch(/^OK/m);

    // The audit entry of the history read, deleted.
    const read = (await logItems(id, 'AUDIT#')).find((item) => item.action?.S === 'history.read');
    expect(read).toBeDefined();
    await dynamo.send(
      new DeleteItemCommand({ TableName: local.tableName, Key: { pk: read!.pk!, sk: read!.sk! } }),
    );
    const removed = await export_();
    expect(removed.code).toBe(1);
    expect(removed.output).toContain(`seal 1 lists entry ${read!.sk!.S} here`);
  });
});
