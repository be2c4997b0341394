import createClient from 'openapi-fetch';
import type { components, paths } from './generated/openapi.ts';

/**
 * A program an integrator would write against a client generated from the OpenAPI document
 * (openapi-typescript for the types, openapi-fetch to call): a municipality creates an agreement, submits
 * it, and both parties sign the content they read. It is type-checked against the generated types (a
 * body or a path the document does not describe fails `tsc`) and run against the local stack by
 * test/e2e/generated-client.e2e.test.ts.
 */

type Agreement = components['schemas']['Agreement'];

export interface Parties {
  controller: { orgNumber: string; token: string };
  processor: { orgNumber: string; token: string };
}

export async function signAnAgreement(baseUrl: string, parties: Parties): Promise<Agreement> {
  const as = (token: string) =>
    createClient<paths>({ baseUrl, headers: { authorization: `Bearer ${token}` } });
  const controller = as(parties.controller.token);
  const processor = as(parties.processor.token);

  const created = await controller.POST('/agreements', {
    body: {
      title: 'Databehandleravtale for elevadministrasjon',
      controller: { orgNumber: parties.controller.orgNumber, name: 'Eksempel kommune' },
      processor: { orgNumber: parties.processor.orgNumber, name: 'Skolesystemer AS' },
      scope: {
        purpose: 'Elevadministrasjon i grunnskolen',
        nature: 'Lagring og behandling i skoleadministrativt system',
        dataSubjectCategories: ['Elever', 'Foresatte'],
        personalDataTypes: ['Navn', 'Adresse', 'Karakterer'],
      },
      securityMeasures: 'Tilgangsstyring, kryptering og logging etter Normen',
      contacts: {
        controller: { name: 'Kari Nordmann', email: 'personvern@example.kommune.no', phone: '+4791234567' },
        processor: { name: 'Ola Nordmann', email: 'sikkerhet@example.no', phone: '+4798765432' },
      },
    },
  });
  const id = ok(created, 'create').id;

  ok(await controller.POST('/agreements/{id}/submit', { params: { path: { id } } }), 'submit');
  // Submission starts the signing workflow; signatures are taken once the agreement awaits them.
  const submitted = await until(controller, id, (agreement) => agreement.status === 'AWAITING_SIGNATURES');

  for (const [party, client] of [
    ['processor', processor],
    ['controller', controller],
  ] as const) {
    ok(
      await client.POST('/agreements/{id}/signatures', {
        params: { path: { id } },
        body: {
          signatory: { name: `Signatar for ${party}`, title: 'Daglig leder' },
          place: 'Bergen',
          contentHash: submitted.contentHash,
        },
      }),
      `sign as the ${party}`,
    );
  }
  return until(controller, id, (agreement) => agreement.status === 'IN_FORCE');
}

async function until(
  client: ReturnType<typeof createClient<paths>>,
  id: string,
  done: (agreement: Agreement) => boolean,
): Promise<Agreement> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const agreement = ok(await client.GET('/agreements/{id}', { params: { path: { id } } }), 'read');
    if (done(agreement)) return agreement;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`agreement ${id} did not reach the awaited state`);
}

function ok<T>(result: { data?: T; error?: unknown; response: Response }, step: string): T {
  if (result.data === undefined) {
    throw new Error(`${step}: ${result.response.status} ${JSON.stringify(result.error)}`);
  }
  return result.data;
}
