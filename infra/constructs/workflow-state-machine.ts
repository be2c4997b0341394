import { readFileSync } from 'node:fs';
import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { Workflow } from '../../functions/catalogue.ts';
import { fromRepoRoot } from '../paths.ts';

/** CloudFormation Metadata key naming the catalogue workflow a state machine runs (read by `synthesized.ts`). */
export const CATALOGUE_WORKFLOW_METADATA = 'CatalogueWorkflowId';

export interface WorkflowStateMachineProps {
  readonly workflow: Workflow;
  /** The task functions by catalogue id; must hold every id in `workflow.tasks`. */
  readonly taskFunctions: ReadonlyMap<string, lambda.IFunction>;
}

/**
 * Construct id of a workflow's state machine (and, with `StateMachineArn`, of its output), from the
 * workflow id: `signing` -> `SigningWorkflow`. Logical ids derive from it, so renaming it would
 * replace the deployed state machine.
 */
export const workflowConstructId = (workflowId: string): string => `${pascalCase(workflowId)}Workflow`;

/** Id of the stack output giving a workflow's state machine ARN: `signing` -> `SigningStateMachineArn`. */
export const workflowOutputId = (workflowId: string): string => `${pascalCase(workflowId)}StateMachineArn`;

const pascalCase = (camelCase: string): string => camelCase.charAt(0).toUpperCase() + camelCase.slice(1);

/** `${name}` placeholders in an ASL document (Step Functions definition substitutions). */
export const placeholdersIn = (definition: string): Set<string> =>
  new Set([...definition.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((match) => match[1] as string));

/**
 * A STANDARD state machine loaded from the workflow's ASL file as written (JSONPath), with each
 * `${taskId}` substituted by that task function's ARN at deploy time. The definition stays a plain
 * string in the template, so the local stack runs exactly what is deployed.
 */
export class WorkflowStateMachine extends Construct {
  readonly workflow: Workflow;
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: WorkflowStateMachineProps) {
    super(scope, id);
    const { workflow, taskFunctions } = props;
    this.workflow = workflow;

    const definition = readFileSync(fromRepoRoot(workflow.definition), 'utf8');
    assertPlaceholdersMatchTasks(workflow, placeholdersIn(definition));
    const tasks = workflow.tasks.map((taskId) => {
      const fn = taskFunctions.get(taskId);
      if (!fn)
        throw new Error(
          `Workflow ${workflow.id} names task ${taskId}, which is not a catalogue task function`,
        );
      return { taskId, fn };
    });

    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_YEAR });

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromString(definition),
      definitionSubstitutions: Object.fromEntries(tasks.map(({ taskId, fn }) => [taskId, fn.functionArn])),
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
    (this.stateMachine.node.defaultChild as sfn.CfnStateMachine).addMetadata(
      CATALOGUE_WORKFLOW_METADATA,
      workflow.id,
    );

    // Exactly the unqualified ARNs the definition invokes (grantInvoke would add every version and alias).
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: tasks.map(({ fn }) => fn.functionArn),
      }),
    );

    Validations.of(this.stateMachine.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only actions without resource-level permissions are granted on "*": CloudWatch Logs vended log delivery (logs:CreateLogDelivery and related, required for logging level ALL) and X-Ray (xray:PutTraceSegments and related, for tracing).',
    });
  }
}

function assertPlaceholdersMatchTasks(workflow: Workflow, placeholders: Set<string>): void {
  const tasks = new Set(workflow.tasks);
  const unknown = [...placeholders].filter((name) => !tasks.has(name));
  const unused = [...tasks].filter((name) => !placeholders.has(name));
  if (unknown.length > 0 || unused.length > 0) {
    throw new Error(
      `${workflow.definition} and the catalogue disagree: placeholders without a task [${unknown.join(', ')}], tasks without a placeholder [${unused.join(', ')}]`,
    );
  }
}
