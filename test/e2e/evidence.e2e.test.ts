import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  agreementRequest,
  breachReport,
  CONTROLLER_ORG,
  OUTSIDER_ORG,
  PROCESSOR_ORG,
  signature,
} from '../support/api-client.ts';
import { LocalStackProcess } from '../support/local-stack-process.ts';

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

    // The seal run at 01:30 Oslo time seals what was written today.
    expect((await controller.post('/local/clock', { advanceBy: 'P1D' })).status).toBe(200);
    const sealed = (
      await controller.get<{ items: Record<string, unknown>[] }>('/notifications?limit=100')
    ).body.items.filter(
      (notification) => notification.type === 'audit.sealed' && notification.agreementId === id,
    );
    expect(sealed).toHaveLength(1);
    expect(sealed[0]!.details).toMatchObject({ seq: 1, root: expect.stringMatching(/^[0-9a-f]{64}$/) });

    const jwks = (await outsider.get('/.well-known/jwks.json')).body;
    expect(jwks.keys).toEqual([expect.objectContaining({ kty: 'EC', crv: 'P-256', alg: 'ES256' })]);

    const pack = await controller.getBytes(`/agreements/${id}/evidence`);
    expect(pack.status).toBe(200);
    expect(pack.headers.get('content-type')).toBe('application/zip');
    const verified = await verify(pack.body, jwks);
    expect(verified.output).toMatch(/^OK/m);
    expect(verified.code).toBe(0);

    // The export sealed its own audit entry: seal 2, announced to both parties.
    const processorNotices = (
      await processor.get<{ items: Record<string, unknown>[] }>('/notifications?limit=100')
    ).body.items;
    expect(
      processorNotices
        .filter((n) => n.type === 'audit.sealed' && n.agreementId === id)
        .map((n) => (n.details as { seq?: number } | undefined)?.seq),
    ).toEqual(expect.arrayContaining([1, 2]));

    // A pack changed by one byte fails verification.
    const tampered = Buffer.from(pack.body);
    const middle = Math.floor(tampered.length / 2);
    tampered.writeUInt8(tampered.readUInt8(middle) ^ 0x01, middle);
    expect((await verify(tampered, jwks)).code).toBe(1);
  });

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
