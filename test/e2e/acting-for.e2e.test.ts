import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ApiClient, agreementRequest, CONTROLLER_ORG, PROCESSOR_ORG } from '../support/api-client.ts';
import { type InProcessStack, startInProcessStack } from '../support/in-process-stack.ts';

const VENDOR = '910000004';
const SYSTEM_USER_ID = 'f9a1c0de-5d1e-4c43-9b8e-2f0b6d1f7a11';

interface AuditItem {
  action: string;
  actor: { orgNumber: string; via?: { orgNumber: string; systemUserId?: string } };
}

/**
 * Acting for someone else (issue 12): a vendor with a Maskinporten token delegated through Altinn, and
 * an Altinn system user, act for the organisation the token names; the vendor is recorded beside it
 * and gains no access of its own.
 */
describe('tokens that act for another organisation, on the local stack', () => {
  let local: InProcessStack;

  beforeAll(async () => {
    local = await startInProcessStack({ dynamoEndpoint: inject('dynamoEndpoint') });
  });

  afterAll(async () => {
    await local?.stop();
  });

  const tokenRequest = (body: Record<string, unknown>) =>
    fetch(`${local.url}/local/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  const clientFor = async (body: Record<string, unknown>) => {
    const response = await tokenRequest(body);
    expect(response.status).toBe(200);
    return new ApiClient(local.url, ((await response.json()) as { access_token: string }).access_token);
  };

  it('records the vendor as via on what it does for the municipality and the processor, and shows it nothing of its own', async () => {
    // The municipality's vendor, delegated through Altinn (Maskinporten's `supplier`).
    const delegated = await clientFor({ orgNumber: CONTROLLER_ORG, supplierOrgNumber: VENDOR });
    const created = await delegated.post('/agreements', agreementRequest());
    expect(created.status).toBe(201);
    expect(created.body.createdBy).toEqual({
      orgNumber: CONTROLLER_ORG,
      clientId: `local-${VENDOR}`,
      via: { orgNumber: VENDOR },
    });
    const id = created.body.id as string;

    // The processor's system user in the same vendor's system (Altinn's `authorization_details`).
    const systemUser = await clientFor({
      orgNumber: PROCESSOR_ORG,
      supplierOrgNumber: VENDOR,
      systemUser: { id: SYSTEM_USER_ID },
    });
    expect((await systemUser.get(`/agreements/${id}`)).status).toBe(200);

    // The vendor by itself is party to nothing: the same 404 as for an agreement that does not exist.
    const vendor = await ApiClient.forOrganisation(local.url, VENDOR);
    expect((await vendor.get(`/agreements/${id}`)).status).toBe(404);

    const controller = await ApiClient.forOrganisation(local.url, CONTROLLER_ORG);
    const audit = await controller.get<{ items: AuditItem[] }>(`/agreements/${id}/audit-log`);
    expect(
      audit.body.items.map(({ action, actor }) => ({ action, actor: { ...actor, clientId: undefined } })),
    ).toEqual([
      { action: 'agreement.create', actor: { orgNumber: CONTROLLER_ORG, via: { orgNumber: VENDOR } } },
      {
        action: 'agreement.read',
        actor: { orgNumber: PROCESSOR_ORG, via: { orgNumber: VENDOR, systemUserId: SYSTEM_USER_ID } },
      },
    ]);
  });

  it('refuses a system user token without the vendor, naming supplierOrgNumber', async () => {
    const response = await tokenRequest({ orgNumber: PROCESSOR_ORG, systemUser: {} });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(JSON.stringify(await response.json())).toContain('supplierOrgNumber');
  });
});
