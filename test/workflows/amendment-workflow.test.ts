import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ExecutionDescription } from '../../functions/local/step-functions/engine.ts';
import {
  advanceBy,
  createAndSubmit,
  history,
  invocationsOf,
  lambdaError,
  nextMorning,
  notificationTypes,
  plusDays,
  readAgreement,
  removeDataDir,
  signAsController,
  signAsProcessor,
  startWorkflowStack,
  type WorkflowStack,
} from './harness.ts';

/**
 * The paths through workflows/amendment.asl.json as CDK synthesizes it, on the local engine with the
 * real task handlers, driven over HTTP and the virtual clock: signed in either order, an agreed later
 * date, the deadline, withdrawal, the agreement's termination while one is open, and a task failing
 * transiently.
 */

interface AmendmentBody {
  id: string;
  number: number;
  status: string;
  contentHash: string;
  expiredBecause?: string;
}

const STRONGER = 'Felles sikkerhetsnormer, og tofaktorinnlogging for alle brukere';

describe('amendment workflow', () => {
  let ws: WorkflowStack;
  let today: string;

  beforeAll(async () => {
    ws = await startWorkflowStack();
  });

  afterAll(async () => {
    await ws?.stack.stop();
    await removeDataDir(ws);
  });

  beforeEach(async () => {
    today = await nextMorning(ws);
  });

  afterEach(() => {
    ws.faults.clear();
  });

  async function agreementInForce(): Promise<string> {
    const { id } = await createAndSubmit(ws, 'Databehandleravtale (endringer)');
    expect((await signAsProcessor(ws, id)).status).toBe(201);
    expect((await signAsController(ws, id)).body.status).toBe('IN_FORCE');
    await ws.stack.stepFunctions.idle();
    return id;
  }

  async function propose(id: string, extra: Record<string, unknown> = {}): Promise<AmendmentBody> {
    const proposed = await ws.controller.post<AmendmentBody>(`/agreements/${id}/amendments`, {
      changes: { securityMeasures: STRONGER },
      reason: 'Sterkere autentisering etter ROS-analyse',
      ...extra,
    });
    expect(proposed.status).toBe(201);
    await ws.stack.stepFunctions.idle();
    return proposed.body;
  }

  const signAmendment = (id: string, amendment: AmendmentBody, party: 'controller' | 'processor') =>
    ws[party].post<AmendmentBody>(`/agreements/${id}/amendments/${amendment.id}/signatures`, {
      signatory: { name: party === 'controller' ? 'Kari Testesen' : 'Per Hansen', title: 'Leder' },
      place: party === 'controller' ? 'Radøy' : 'Oslo',
      contentHash: amendment.contentHash,
    });

  const readAmendment = async (id: string, amendment: AmendmentBody) =>
    (await ws.controller.get<AmendmentBody>(`/agreements/${id}/amendments/${amendment.id}`)).body;

  function execution(amendment: AmendmentBody): ExecutionDescription {
    const arn = process.env.AMENDMENT_STATE_MACHINE_ARN!.replace(':stateMachine:', ':execution:');
    return ws.stack.stepFunctions.describeExecution(`${arn}:amendment-${amendment.id}`);
  }

  async function settled(amendment: AmendmentBody): Promise<ExecutionDescription> {
    await ws.stack.stepFunctions.idle();
    return execution(amendment);
  }

  it.each([
    ['controller', 'processor'],
    ['processor', 'controller'],
  ] as const)('ends IN_FORCE when both have signed, the %s first', async (first, second) => {
    const id = await agreementInForce();
    const amendment = await propose(id);
    expect(execution(amendment).status).toBe('RUNNING');
    expect((await signAmendment(id, amendment, first)).body.status).toBe('AWAITING_SIGNATURES');
    expect((await signAmendment(id, amendment, second)).body.status).toBe('IN_FORCE');
    expect((await settled(amendment)).status).toBe('SUCCEEDED');
    expect(await readAgreement(ws, id)).toMatchObject({
      contentVersion: 2,
      contentHash: amendment.contentHash,
    });
  });

  it('waits until the start of an agreed later date in Oslo, then applies it', async () => {
    const id = await agreementInForce();
    const effectiveFrom = plusDays(today, 3);
    const amendment = await propose(id, { effectiveFrom });
    await signAmendment(id, amendment, 'processor');
    expect((await signAmendment(id, amendment, 'controller')).body.status).toBe('SIGNED');
    await advanceBy(ws, 'P2D');
    expect(execution(amendment).status).toBe('RUNNING');
    expect((await readAmendment(id, amendment)).status).toBe('SIGNED');
    await advanceBy(ws, 'P1D');
    expect((await settled(amendment)).status).toBe('SUCCEEDED');
    expect((await readAmendment(id, amendment)).status).toBe('IN_FORCE');
    expect((await readAgreement(ws, id)).contentVersion).toBe(2);
  });

  it('expires at the end of the deadline day without both signatures', async () => {
    const id = await agreementInForce();
    const amendment = await propose(id, { signatureDeadlineDays: 3 });
    await signAmendment(id, amendment, 'processor');
    await advanceBy(ws, 'P3D');
    expect(execution(amendment).status).toBe('RUNNING');
    await advanceBy(ws, 'P1D');
    expect((await settled(amendment)).status).toBe('SUCCEEDED');
    expect(await readAmendment(id, amendment)).toMatchObject({
      status: 'EXPIRED',
      expiredBecause: 'SIGNATURE_DEADLINE',
    });
    expect(await notificationTypes(ws.processor, id)).toContain('amendment.expired');
    expect((await signAmendment(id, amendment, 'controller')).status).toBe(409);
  });

  it('ends when the proposer withdraws it', async () => {
    const id = await agreementInForce();
    const amendment = await propose(id);
    const withdrawn = await ws.controller.post<AmendmentBody>(
      `/agreements/${id}/amendments/${amendment.id}/withdraw`,
      {},
    );
    expect(withdrawn.body.status).toBe('WITHDRAWN');
    expect((await settled(amendment)).status).toBe('SUCCEEDED');
    expect(invocationsOf(ws, id, 'expireAmendment')).toBe(0);
  });

  it('ends an open amendment EXPIRED when the agreement is terminated', async () => {
    const id = await agreementInForce();
    const notice = await ws.processor.post(`/agreements/${id}/termination-notice`, {
      reason: 'Ny leverandør',
    });
    expect(notice.status).toBe(200);
    const terminatesOn = (notice.body as { terminatesOn: string }).terminatesOn;
    const amendment = await propose(id, { signatureDeadlineDays: 180 });
    await signAmendment(id, amendment, 'processor');
    // Past the end of terminatesOn: the termination workflow terminates, and the amendment ends with it.
    const days = Math.ceil((Date.parse(terminatesOn) - Date.parse(today)) / 86_400_000) + 1;
    await advanceBy(ws, `P${days}D`);
    expect((await readAgreement(ws, id)).status).toBe('TERMINATED');
    expect((await settled(amendment)).status).toBe('SUCCEEDED');
    expect(await readAmendment(id, amendment)).toMatchObject({
      status: 'EXPIRED',
      expiredBecause: 'AGREEMENT_TERMINATED',
    });
    expect((await readAgreement(ws, id)).openAmendment).toBeUndefined();
  });

  it('retries a task that fails transiently, and concludes without a recorded failure', async () => {
    const id = await agreementInForce();
    let failed = false;
    ws.faults.set(id, (taskId, _payload, invoke) => {
      if (taskId === 'awaitAmendmentSignatures' && !failed) {
        failed = true;
        throw lambdaError('Lambda.ServiceException');
      }
      return invoke();
    });
    const amendment = await propose(id);
    expect(invocationsOf(ws, id, 'awaitAmendmentSignatures')).toBe(2);
    await signAmendment(id, amendment, 'controller');
    expect((await signAmendment(id, amendment, 'processor')).body.status).toBe('IN_FORCE');
    expect((await settled(amendment)).status).toBe('SUCCEEDED');
    expect((await history(ws, id)).map((entry) => entry.type)).not.toContain('WORKFLOW_FAILED');
  });
});
