import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Permission, WorkflowId } from '../../functions/catalogue.ts';
import { fromRepoRoot, repoRoot } from '../paths.ts';
import {
  isStartPermission,
  type PermissionTargets,
  startStatements,
  statementsFor,
  workflowsStartedBy,
} from './permissions.ts';
import type { WorkflowStateMachine } from './workflow-state-machine.ts';

/** CloudFormation Metadata key naming the catalogue entry a function was built from (read by `synthesized.ts`). */
export const CATALOGUE_FUNCTION_METADATA = 'CatalogueFunctionId';

export interface CatalogueFunctionProps {
  /** The catalogue entry: `id`, `entry` (from the repository root), `permissions`, `summary`. */
  readonly definition: {
    readonly id: string;
    readonly entry: string;
    readonly permissions: readonly Permission[];
    readonly summary: string;
  };
  readonly kind: 'http' | 'task';
  readonly environment: Record<string, string>;
  readonly targets: PermissionTargets;
}

/** An esbuild banner: bundled CommonJS dependencies may still call `require` inside an ES module. */
const REQUIRE_SHIM =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/**
 * How every catalogue function is bundled: an ES module for Node.js 24, minified, with its own AWS SDK
 * (no external modules) and a source map beside it (`index.mjs.map`, read only when an error is
 * logged: see `functions/shared/source-mapped-stack.ts`). The SDK's default credential chain is
 * replaced by the Lambda one (`functions/shared/lambda-credentials.ts`), which leaves out ~130 KB of
 * providers a function never uses. Exported so the benchmark bundles exactly as CDK does.
 */
export const CATALOGUE_BUNDLING: nodejs.BundlingOptions = {
  format: nodejs.OutputFormat.ESM,
  target: 'node24',
  minify: true,
  sourceMap: true,
  mainFields: ['module', 'main'],
  externalModules: [],
  banner: REQUIRE_SHIM,
  esbuildArgs: {
    '--alias': [
      `@aws-sdk/credential-provider-node=${fromRepoRoot('functions/shared/lambda-credentials.ts')}`,
    ],
  },
};

/**
 * A role whose grants all land in its own inline policy, so that no `AWS::IAM::Policy` resource stands
 * beside it: CloudFormation allows 500 resources per stack, and a policy of its own per function (the
 * default, for the log group, tracing and each permission) cost one of them for every function. The
 * statements are the same; the function also no longer waits on a separate policy's creation, as the
 * role it references carries them.
 */
class InlinePolicyRole extends iam.Role {
  private readonly permissions: iam.PolicyDocument;

  constructor(scope: Construct, id: string, props: iam.RoleProps) {
    const permissions = new iam.PolicyDocument();
    super(scope, id, { ...props, inlinePolicies: { ...props.inlinePolicies, Permissions: permissions } });
    this.permissions = permissions;
  }

  override addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    this.permissions.addStatements(statement);
    return { statementAdded: true, policyDependable: this };
  }
}

/**
 * One function of the catalogue with the house defaults: Node.js 24 on arm64, an ES module bundle
 * that carries its own AWS SDK, active tracing, a log group with a retention, and a role holding
 * exactly what the entry's permissions imply (no AWS managed policies).
 */
export class CatalogueFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  private readonly definition: CatalogueFunctionProps['definition'];

  constructor(scope: Construct, id: string, props: CatalogueFunctionProps) {
    super(scope, id);
    const { definition, kind, targets } = props;
    this.definition = definition;

    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_YEAR });

    // An own role instead of the default one, which would carry AWSLambdaBasicExecutionRole (logs:* on *).
    this.role = new InlinePolicyRole(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${definition.id}: ${definition.summary}`,
    });
    logGroup.grantWrite(this.role);

    this.function = new nodejs.NodejsFunction(this, 'Handler', {
      entry: fromRepoRoot(definition.entry),
      handler: 'handler',
      projectRoot: repoRoot,
      depsLockFilePath: fromRepoRoot('package-lock.json'),
      description: definition.summary,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.seconds(kind === 'http' ? 10 : 30),
      tracing: lambda.Tracing.ACTIVE,
      role: this.role,
      logGroup,
      environment: props.environment,
      bundling: CATALOGUE_BUNDLING,
    });
    (this.function.node.defaultChild as lambda.CfnFunction).addMetadata(
      CATALOGUE_FUNCTION_METADATA,
      definition.id,
    );

    for (const permission of definition.permissions) {
      if (isStartPermission(permission)) continue; // granted by `allowStarting`
      for (const statement of statementsFor(permission, targets)) this.role.addToPrincipalPolicy(statement);
    }

    this.acknowledgeWildcards(definition.permissions);
  }

  /**
   * Grants the entry's `start:<workflowId>` permissions, which can only be granted once the state
   * machines exist (they reference the task functions, so they are built after the functions):
   * states:StartExecution on exactly that state machine, and its ARN in the workflow's `arnVariable`.
   */
  allowStarting(stateMachines: ReadonlyMap<WorkflowId, WorkflowStateMachine>): void {
    for (const workflowId of workflowsStartedBy(this.definition.permissions)) {
      const started = stateMachines.get(workflowId);
      if (!started) {
        throw new Error(
          `Function ${this.definition.id} has permission start:${workflowId}, but there is no ${workflowId} state machine`,
        );
      }
      const { stateMachine, workflow } = started;
      for (const statement of startStatements(stateMachine)) this.role.addToPrincipalPolicy(statement);
      this.function.addEnvironment(workflow.arnVariable, stateMachine.stateMachineArn);
    }
  }

  private acknowledgeWildcards(permissions: readonly Permission[]): void {
    const needsStar = ['xray:PutTraceSegments and xray:PutTelemetryRecords (active tracing)'];
    if (permissions.includes('workflow:callback')) {
      needsStar.push('states:SendTaskSuccess and states:SendTaskFailure (a task token is not an ARN)');
    }
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: `Only actions without resource-level permissions are granted on "*": ${needsStar.join('; ')}.`,
    });
  }
}
