import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  agreementRequest,
  CONTROLLER_ORG,
  OUTSIDER_ORG,
  PROCESSOR_ORG,
  signature,
} from '../support/api-client.ts';
import { LocalStackProcess } from '../support/local-stack-process.ts';
import { pagesOf } from '../support/pdf-text.ts';

/** Rule 12: the signed agreement downloaded as a PDF from the local stack, read back with pdftotext. */
describe('the agreement document on the local stack', () => {
  let stack: LocalStackProcess;
  let controller: ApiClient;
  let processor: ApiClient;
  let outsider: ApiClient;

  beforeAll(async () => {
    stack = await LocalStackProcess.create();
    await stack.start();
    controller = await ApiClient.forOrganisation(stack.url, CONTROLLER_ORG);
    processor = await tokenNamingPerson(stack.url, PROCESSOR_ORG, 'Per Prøvesen');
    outsider = await ApiClient.forOrganisation(stack.url, OUTSIDER_ORG);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('gives both parties the signed agreement as the same PDF, with both signatures and the hash on every page', async () => {
    const created = await controller.post(
      '/agreements',
      agreementRequest({
        title: 'Databehandleravtale for sørvis på ærlige åpne data',
        breachNotificationHours: 24,
      }),
    );
    const id = created.body.id as string;
    const contentHash = created.body.contentHash as string;
    await controller.post(`/agreements/${id}/submit`);
    expect(
      (await processor.post(`/agreements/${id}/signatures`, signature('Åsmund Ærlig', 'Tromsø', contentHash)))
        .status,
    ).toBe(201);
    const signed = await controller.post(
      `/agreements/${id}/signatures`,
      signature('Kari Testesen', 'Radøy', contentHash),
    );
    expect(signed.body.status).toBe('IN_FORCE');
    const signedOn = (signed.body.signatures as { signedOn: string }[]).map((s) => s.signedOn);

    const document = await controller.getBytes(`/agreements/${id}/document`);

    expect(document.status).toBe(200);
    expect(document.headers.get('content-type')).toBe('application/pdf');
    expect(document.headers.get('content-disposition')).toBe(`inline; filename="${id}.pdf"`);
    expect(document.body.subarray(0, 8).toString('latin1')).toBe('%PDF-1.7');
    const pages = pagesOf(document.body);
    pages.forEach((page, index) => {
      expect(page).toContain(`Innholdshash: ${contentHash} · Side ${index + 1} av ${pages.length}`);
    });
    const text = pages.join('\n').replace(/\s+/g, ' ');
    expect(text).toContain('Databehandleravtale for sørvis på ærlige åpne data');
    expect(text).toContain('senest 24 timer etter');
    expect(text).toContain(
      `Navn Åsmund Ærlig Tittel Rådmann Sted Tromsø Dato ${norwegian(signedOn[0]!)} Signert innhold ${contentHash} Signert av Per Prøvesen`,
    );
    expect(text).toContain(
      `Navn Kari Testesen Tittel Rådmann Sted Radøy Dato ${norwegian(signedOn[1]!)} Signert innhold ${contentHash}`,
    );
    expect(text).not.toContain('Ikke signert.');

    // The processor gets the same bytes, and so does version=1 (the only content version yet).
    const forProcessor = await processor.getBytes(`/agreements/${id}/document?version=1`);
    expect(forProcessor.status).toBe(200);
    expect(forProcessor.body.equals(document.body)).toBe(true);

    // Both reads are in the audit log.
    const audit = await processor.get<{ items: { action: string; actor: { orgNumber: string } }[] }>(
      `/agreements/${id}/audit-log`,
    );
    expect(
      audit.body.items
        .filter((entry) => entry.action === 'agreement.document.read')
        .map((entry) => entry.actor.orgNumber),
    ).toEqual([CONTROLLER_ORG, PROCESSOR_ORG]);
  });

  it('answers a non-party 404 as for no agreement, and a version the agreement does not have 404 naming it', async () => {
    const created = await controller.post('/agreements', agreementRequest());
    const id = created.body.id as string;

    const forOutsider = await outsider.getBytes(`/agreements/${id}/document`);
    const forNobody = await outsider.getBytes('/agreements/00000000-0000-4000-8000-000000000000/document');
    expect(forOutsider.status).toBe(404);
    expect(forOutsider.headers.get('content-type')).toBe('application/problem+json');
    const problem = (response: { body: Buffer }) => {
      const { correlationId: _ignored, ...rest } = JSON.parse(response.body.toString('utf8'));
      return rest;
    };
    expect(problem(forOutsider)).toEqual(problem(forNobody));

    const version2 = await controller.get(`/agreements/${id}/document?version=2`);
    expect(version2.status).toBe(404);
    expect(String(version2.body.detail)).toContain('version');

    const notANumber = await controller.get(`/agreements/${id}/document?version=abc`);
    expect(notANumber.status).toBe(400);
    expect(notANumber.body.errors).toEqual([expect.objectContaining({ field: 'version' })]);

    // A draft has its document too: both signature slots empty.
    const draft = pagesOf((await controller.getBytes(`/agreements/${id}/document`)).body).join('\n');
    expect(draft.match(/Ikke signert\./g)).toHaveLength(2);
  });
});

async function tokenNamingPerson(baseUrl: string, orgNumber: string, name: string): Promise<ApiClient> {
  const response = await fetch(`${baseUrl}/local/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ orgNumber, name }),
  });
  const { access_token: token } = (await response.json()) as { access_token: string };
  return new ApiClient(baseUrl, token);
}

const norwegian = (date: string) => date.split('-').reverse().join('.');
