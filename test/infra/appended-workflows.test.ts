import { afterEach, describe, expect, it, vi } from 'vitest';
import type * as Catalogue from '../../functions/catalogue.ts';
import type { HttpFunction, Permission, Workflow } from '../../functions/catalogue.ts';
import { assertDeployableStarts } from '../../infra/constructs/permissions.ts';

const CATALOGUE = '../../functions/catalogue.ts';

/** A test-only termination workflow, as the real one will be appended to the catalogue. */
const termination: Workflow = {
  id: 'termination',
  definition: 'test/infra/fixtures/termination.asl.json',
  tasks: ['recordWorkflowFailure'],
  arnVariable: 'TERMINATION_STATE_MACHINE_ARN',
};

/** Its starter, on an existing handler: only the infrastructure is under test here. */
const giveTerminationNotice: HttpFunction = {
  id: 'giveTerminationNotice',
  entry: 'functions/http/cancel-agreement.ts',
  method: 'POST',
  path: '/agreements/{id}/termination-notice',
  scopes: ['dpa:write'],
  permissions: ['agreements:read', 'agreements:write', 'start:termination'],
  summary: 'Give notice of termination and start the termination workflow',
};

type CatalogueModule = typeof Catalogue;

/** The catalogue as `change` makes it, for every module imported after this call. */
function useCatalogue(change: (original: CatalogueModule) => Partial<CatalogueModule>): void {
  vi.resetModules();
  vi.doMock(CATALOGUE, async (importOriginal) => {
    const original = await importOriginal<CatalogueModule>();
    return { ...original, ...change(original) };
  });
}

const withPermission = <T extends { id: string; permissions: readonly Permission[] }>(
  functions: readonly T[],
  id: string,
  permission: Permission,
): T[] =>
  functions.map((fn) => (fn.id === id ? { ...fn, permissions: [...fn.permissions, permission] } : fn));

afterEach(() => {
  vi.doUnmock(CATALOGUE);
  vi.resetModules();
});

describe('a workflow appended to the catalogue', () => {
  it('gets its own state machine, output, starter grant and ARN variable, and signing keeps its own', async () => {
    useCatalogue((original) => ({
      // The stand-ins take the place of the real termination workflow and notice route (issue 3).
      workflows: [...original.workflows.filter((w) => w.id !== termination.id), termination],
      httpFunctions: [
        ...original.httpFunctions.filter((fn) => fn.path !== giveTerminationNotice.path),
        giveTerminationNotice,
      ],
      // A task of one workflow may start another.
      taskFunctions: withPermission(original.taskFunctions, 'activateAgreement', 'start:termination'),
    }));
    const { synthesize, statementsOfRole, roleOfFunction, actionsOf, resourcesOf } = await import(
      './synth.ts'
    );
    const { catalogueFunctions, workflowDefinitions } = await import('../../infra/synthesized.ts');

    const { serviceJson } = synthesize();
    const functions = catalogueFunctions(serviceJson);
    const deployedWorkflows = workflowDefinitions(serviceJson);
    const signingRef = { Ref: deployedWorkflows.signing?.logicalId };
    const terminationRef = { Ref: deployedWorkflows.termination?.logicalId };
    const startable = (functionId: string) =>
      statementsOfRole(serviceJson, roleOfFunction(serviceJson, functions[functionId]?.logicalId ?? ''))
        .filter((statement) => actionsOf([statement]).includes('states:StartExecution'))
        .flatMap(resourcesOf);

    expect(deployedWorkflows.signing?.logicalId).toBe('SigningWorkflowStateMachineD3C55507');
    expect(deployedWorkflows.termination?.logicalId).toMatch(/^TerminationWorkflowStateMachine[0-9A-F]{8}$/);
    expect(deployedWorkflows.termination?.substitutions.recordWorkflowFailure?.taskId).toBe(
      'recordWorkflowFailure',
    );
    expect(serviceJson.Outputs?.TerminationStateMachineArn).toMatchObject({ Value: terminationRef });
    expect(serviceJson.Outputs?.SigningStateMachineArn).toMatchObject({ Value: signingRef });

    for (const starter of ['giveTerminationNotice', 'activateAgreement']) {
      expect(startable(starter)).toEqual([terminationRef]);
      expect(functions[starter]?.environment.TERMINATION_STATE_MACHINE_ARN).toEqual(terminationRef);
      expect(functions[starter]?.environment).not.toHaveProperty('SIGNING_STATE_MACHINE_ARN');
    }
    expect(startable('submitAgreement')).toEqual([signingRef]);
    expect(functions.submitAgreement?.environment.SIGNING_STATE_MACHINE_ARN).toEqual(signingRef);
    expect(functions.submitAgreement?.environment).not.toHaveProperty('TERMINATION_STATE_MACHINE_ARN');
  });

  it('is refused at synth when one of its task functions may start it', async () => {
    useCatalogue((original) => ({
      taskFunctions: withPermission(original.taskFunctions, 'awaitSignature', 'start:signing'),
    }));
    const { buildApp, BUNDLING_STACKS_CONTEXT } = await import('../../infra/build-app.ts');

    expect(() => buildApp({ context: { [BUNDLING_STACKS_CONTEXT]: [] }, nag: false })).toThrow(
      'Circular dependency: workflow signing invokes task awaitSignature, which has start:signing',
    );
  });
});

describe('assertDeployableStarts', () => {
  const signing: Workflow = {
    id: 'signing',
    definition: 'workflows/signing.asl.json',
    tasks: ['awaitSignature'],
    arnVariable: 'SIGNING_STATE_MACHINE_ARN',
  };
  const approval: Workflow = {
    id: 'subProcessorApproval',
    definition: 'workflows/sub-processor-approval.asl.json',
    tasks: ['awaitApproval'],
    arnVariable: 'SUB_PROCESSOR_APPROVAL_STATE_MACHINE_ARN',
  };

  it('accepts a task function that starts another workflow', () => {
    expect(() =>
      assertDeployableStarts(
        [signing, approval],
        [
          { id: 'awaitSignature', permissions: ['start:subProcessorApproval'] },
          { id: 'awaitApproval', permissions: [] },
        ],
      ),
    ).not.toThrow();
  });

  it('refuses a task function that starts its own workflow', () => {
    expect(() =>
      assertDeployableStarts([signing], [{ id: 'awaitSignature', permissions: ['start:signing'] }]),
    ).toThrow('Circular dependency: workflow signing invokes task awaitSignature, which has start:signing');
  });

  it('refuses two workflows whose tasks start each other', () => {
    expect(() =>
      assertDeployableStarts(
        [signing, approval],
        [
          { id: 'awaitSignature', permissions: ['start:subProcessorApproval'] },
          { id: 'awaitApproval', permissions: ['start:signing'] },
        ],
      ),
    ).toThrow(
      'Circular dependency: workflow signing invokes task awaitSignature, which has start:subProcessorApproval; workflow subProcessorApproval invokes task awaitApproval, which has start:signing',
    );
  });

  it('refuses a start permission for a workflow the catalogue does not have', () => {
    expect(() =>
      assertDeployableStarts(
        [signing],
        [{ id: 'giveTerminationNotice', permissions: ['start:termination'] }],
      ),
    ).toThrow(
      'Function giveTerminationNotice has permission start:termination, but the catalogue has no termination workflow',
    );
  });
});
