/**
 * Reading the synthesized CloudFormation templates, so that the local stack runs what CDK deploys
 * (house style: one source of truth per fact) instead of a hand-kept copy.
 *
 * Every function here is pure: it takes a template as JSON, e.g. from
 * `app.synth().getStackByName(STACK_IDS.service).template` or `Template.fromStack(stack).toJSON()`,
 * and throws a descriptive error when the template does not have the expected shape.
 *
 * Functions and state machines are recognised by the CloudFormation Metadata that the constructs
 * put on them (`CatalogueFunctionId`, `CatalogueWorkflowId`), never by logical ids, which CDK hashes.
 */
import { CATALOGUE_FUNCTION_METADATA } from './constructs/catalogue-function.ts';
import { CATALOGUE_WORKFLOW_METADATA } from './constructs/workflow-state-machine.ts';

export interface CfnResourceJson {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

export interface CfnTemplate {
  readonly Resources?: Record<string, CfnResourceJson>;
  readonly Outputs?: Record<string, unknown>;
}

/** A DynamoDB key schema element, attribute definition and index, as in CreateTable. */
export interface KeySchemaElement {
  readonly AttributeName: string;
  readonly KeyType: 'HASH' | 'RANGE';
}
export interface AttributeDefinition {
  readonly AttributeName: string;
  readonly AttributeType: 'S' | 'N' | 'B';
}
export interface GlobalSecondaryIndex {
  readonly IndexName: string;
  readonly KeySchema: readonly KeySchemaElement[];
  readonly Projection: {
    readonly ProjectionType: 'ALL' | 'KEYS_ONLY' | 'INCLUDE';
    readonly NonKeyAttributes?: string[];
  };
}

/**
 * The table's shape: the subset of `AWS::DynamoDB::Table` properties that a local DynamoDB needs.
 * `KeySchema`, `AttributeDefinitions`, `GlobalSecondaryIndexes` and `BillingMode` can be passed to
 * `CreateTableCommand` as they are (add a `TableName`); `ttlAttribute` goes to `UpdateTimeToLive`;
 * `streamViewType` to `StreamSpecification`.
 */
export interface TableDefinition {
  readonly logicalId: string;
  readonly KeySchema: readonly KeySchemaElement[];
  readonly AttributeDefinitions: readonly AttributeDefinition[];
  readonly GlobalSecondaryIndexes: readonly GlobalSecondaryIndex[];
  readonly BillingMode: 'PAY_PER_REQUEST' | 'PROVISIONED';
  readonly ttlAttribute?: string;
  readonly streamViewType?: 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES' | 'KEYS_ONLY';
}

/** The data stack's one table. */
export function tableDefinition(dataTemplate: CfnTemplate): TableDefinition {
  const [logicalId, table] = single(dataTemplate, (r) => r.Type === 'AWS::DynamoDB::Table', 'DynamoDB table');
  const props = table.Properties ?? {};
  const ttl = props.TimeToLiveSpecification as { AttributeName?: string; Enabled?: boolean } | undefined;
  const stream = props.StreamSpecification as
    | { StreamViewType?: TableDefinition['streamViewType'] }
    | undefined;
  return {
    logicalId,
    KeySchema: props.KeySchema as KeySchemaElement[],
    AttributeDefinitions: props.AttributeDefinitions as AttributeDefinition[],
    GlobalSecondaryIndexes: ((props.GlobalSecondaryIndexes ?? []) as GlobalSecondaryIndex[]).map((index) => ({
      IndexName: index.IndexName,
      KeySchema: index.KeySchema,
      Projection: index.Projection,
    })),
    BillingMode: (props.BillingMode as TableDefinition['BillingMode'] | undefined) ?? 'PROVISIONED',
    ...(ttl?.Enabled && ttl.AttributeName ? { ttlAttribute: ttl.AttributeName } : {}),
    ...(stream?.StreamViewType ? { streamViewType: stream.StreamViewType } : {}),
  };
}

/** A deployed catalogue function. `environment` values are strings or unresolved CloudFormation references. */
export interface FunctionDefinition {
  readonly functionId: string;
  readonly logicalId: string;
  readonly runtime: string;
  readonly handler: string;
  readonly timeoutSeconds: number;
  readonly memorySize: number;
  readonly environment: Readonly<Record<string, unknown>>;
}

/** Every catalogue function in the service template, by catalogue id. */
export function catalogueFunctions(serviceTemplate: CfnTemplate): Record<string, FunctionDefinition> {
  const result: Record<string, FunctionDefinition> = {};
  for (const [logicalId, resource] of resources(serviceTemplate)) {
    const functionId = resource.Metadata?.[CATALOGUE_FUNCTION_METADATA];
    if (resource.Type !== 'AWS::Lambda::Function' || typeof functionId !== 'string') continue;
    const props = resource.Properties ?? {};
    result[functionId] = {
      functionId,
      logicalId,
      runtime: props.Runtime as string,
      handler: props.Handler as string,
      timeoutSeconds: props.Timeout as number,
      memorySize: props.MemorySize as number,
      environment:
        (props.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {},
    };
  }
  return result;
}

/**
 * A workflow as deployed. `definitionString` is the ASL with `${key}` placeholders; each key of
 * `substitutions` names the catalogue task function whose ARN replaces it on AWS.
 */
export interface WorkflowDefinition {
  readonly workflowId: string;
  readonly logicalId: string;
  readonly definitionString: string;
  readonly substitutions: Readonly<
    Record<string, { readonly taskId: string; readonly functionLogicalId: string }>
  >;
}

/** Every catalogue workflow in the service template, by workflow id (e.g. `signing`). */
export function workflowDefinitions(serviceTemplate: CfnTemplate): Record<string, WorkflowDefinition> {
  const functionIdByLogicalId = new Map(
    Object.values(catalogueFunctions(serviceTemplate)).map((fn) => [fn.logicalId, fn.functionId]),
  );
  const result: Record<string, WorkflowDefinition> = {};
  for (const [logicalId, resource] of resources(serviceTemplate)) {
    const workflowId = resource.Metadata?.[CATALOGUE_WORKFLOW_METADATA];
    if (resource.Type !== 'AWS::StepFunctions::StateMachine' || typeof workflowId !== 'string') continue;
    const props = resource.Properties ?? {};
    if (typeof props.DefinitionString !== 'string') {
      throw new Error(
        `State machine ${logicalId} has no literal DefinitionString (got ${JSON.stringify(props.DefinitionString)})`,
      );
    }
    const substitutions: Record<string, { taskId: string; functionLogicalId: string }> = {};
    for (const [key, value] of Object.entries(
      (props.DefinitionSubstitutions ?? {}) as Record<string, unknown>,
    )) {
      const functionLogicalId = getAttTarget(value, 'Arn');
      const taskId = functionLogicalId ? functionIdByLogicalId.get(functionLogicalId) : undefined;
      if (!functionLogicalId || !taskId) {
        throw new Error(
          `Substitution ${key} of ${logicalId} is not a catalogue function ARN: ${JSON.stringify(value)}`,
        );
      }
      substitutions[key] = { taskId, functionLogicalId };
    }
    result[workflowId] = { workflowId, logicalId, definitionString: props.DefinitionString, substitutions };
  }
  return result;
}

/**
 * The ASL with every placeholder replaced, the way Step Functions applies DefinitionSubstitutions:
 * `arnForTask` gives the ARN (real or fake) to put in place of each task function. Throws on a
 * placeholder the template does not define.
 */
export function renderDefinition(
  workflow: WorkflowDefinition,
  arnForTask: (taskId: string) => string,
): string {
  return workflow.definitionString.replace(/\$\{([A-Za-z0-9_]+)\}/g, (_match, key: string) => {
    const substitution = workflow.substitutions[key];
    if (!substitution) throw new Error(`Workflow ${workflow.workflowId} has no substitution for \${${key}}`);
    return arnForTask(substitution.taskId);
  });
}

/** A deployed HTTP route and the catalogue function behind it. */
export interface RouteDefinition {
  /** e.g. `GET /agreements/{id}` */
  readonly routeKey: string;
  readonly method: string;
  readonly path: string;
  readonly functionId: string;
}

export function httpRoutes(serviceTemplate: CfnTemplate): RouteDefinition[] {
  const functionIdByLogicalId = new Map(
    Object.values(catalogueFunctions(serviceTemplate)).map((fn) => [fn.logicalId, fn.functionId]),
  );
  const all = resources(serviceTemplate);
  const byLogicalId = new Map(all);
  return all
    .filter(([, resource]) => resource.Type === 'AWS::ApiGatewayV2::Route')
    .map(([logicalId, route]) => {
      const props = route.Properties ?? {};
      const routeKey = props.RouteKey as string;
      const integrationLogicalId = refInJoin(props.Target);
      const integration = integrationLogicalId ? byLogicalId.get(integrationLogicalId) : undefined;
      const functionLogicalId = getAttTarget(integration?.Properties?.IntegrationUri, 'Arn');
      const functionId = functionLogicalId ? functionIdByLogicalId.get(functionLogicalId) : undefined;
      if (!functionId)
        throw new Error(`Route ${logicalId} (${routeKey}) does not target a catalogue function`);
      const [method = '', path = ''] = routeKey.split(' ');
      return {
        routeKey,
        method,
        path,
        functionId,
      };
    });
}

/** The scheduled run: an EventBridge Scheduler expression, its time zone and the function it invokes. */
export interface ScheduleDefinition {
  readonly scheduleExpression: string;
  readonly timeZone: string;
  readonly functionId: string;
  /** The JSON input template, with `<aws.scheduler.*>` context attributes unresolved. */
  readonly input?: string;
}

export function schedules(serviceTemplate: CfnTemplate): ScheduleDefinition[] {
  const functionIdByLogicalId = new Map(
    Object.values(catalogueFunctions(serviceTemplate)).map((fn) => [fn.logicalId, fn.functionId]),
  );
  return resources(serviceTemplate)
    .filter(([, resource]) => resource.Type === 'AWS::Scheduler::Schedule')
    .map(([logicalId, schedule]) => {
      const props = schedule.Properties ?? {};
      const target = props.Target as { Arn: unknown; Input?: string };
      const functionLogicalId = getAttTarget(target.Arn, 'Arn');
      const functionId = functionLogicalId ? functionIdByLogicalId.get(functionLogicalId) : undefined;
      if (!functionId) throw new Error(`Schedule ${logicalId} does not target a catalogue function`);
      return {
        scheduleExpression: props.ScheduleExpression as string,
        timeZone: (props.ScheduleExpressionTimezone as string | undefined) ?? 'UTC',
        functionId,
        ...(target.Input === undefined ? {} : { input: target.Input }),
      };
    });
}

function resources(template: CfnTemplate): [string, CfnResourceJson][] {
  return Object.entries(template.Resources ?? {});
}

function single(
  template: CfnTemplate,
  predicate: (resource: CfnResourceJson) => boolean,
  what: string,
): [string, CfnResourceJson] {
  const found = resources(template).filter(([, resource]) => predicate(resource));
  if (found.length !== 1 || !found[0])
    throw new Error(`Expected exactly one ${what} in the template, found ${found.length}`);
  return found[0];
}

/** `X` for `{ "Fn::GetAtt": ["X", attribute] }`. */
function getAttTarget(value: unknown, attribute: string): string | undefined {
  const getAtt = (value as { 'Fn::GetAtt'?: unknown } | undefined)?.['Fn::GetAtt'];
  return Array.isArray(getAtt) && getAtt[1] === attribute && typeof getAtt[0] === 'string'
    ? getAtt[0]
    : undefined;
}

/** `X` for a `Fn::Join` whose parts contain `{ "Ref": "X" }` (e.g. a route's `integrations/<id>` target). */
function refInJoin(value: unknown): string | undefined {
  const join = (value as { 'Fn::Join'?: unknown } | undefined)?.['Fn::Join'];
  if (!Array.isArray(join) || !Array.isArray(join[1])) return undefined;
  const ref = (join[1] as unknown[]).find((part) => typeof (part as { Ref?: unknown })?.Ref === 'string');
  return (ref as { Ref: string } | undefined)?.Ref;
}

/** A nested stack of the service stack as synthesized: its resource in the parent, template and parameters. */
export interface NestedTemplate {
  readonly logicalId: string;
  readonly template: CfnTemplate;
  readonly parameters: Record<string, unknown>;
}

/**
 * The parent's resources and outputs with every nested stack's resources, parameters resolved and
 * references to nested stacks' outputs replaced by what those outputs are, so that readers of the
 * service template (the local stack, the infra tests) find a resource whatever stack deploys it.
 */
export function flattenNestedStacks(parent: CfnTemplate, nested: readonly NestedTemplate[]): CfnTemplate {
  const resources = { ...parent.Resources };
  const nestedOutputs = new Map<string, unknown>();
  for (const { logicalId, template, parameters } of nested) {
    delete resources[logicalId];
    const resolve = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(resolve);
      if (value && typeof value === 'object') {
        const ref = (value as { Ref?: unknown }).Ref;
        if (typeof ref === 'string' && Object.keys(value).length === 1 && ref in parameters) {
          return parameters[ref];
        }
        return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, resolve(inner)]));
      }
      return value;
    };
    for (const [id, resource] of Object.entries(template.Resources ?? {})) {
      resources[id] = resolve(resource) as (typeof resources)[string];
    }
    for (const [name, output] of Object.entries(template.Outputs ?? {})) {
      nestedOutputs.set(`${logicalId}.Outputs.${name}`, resolve((output as { Value: unknown }).Value));
    }
  }
  // References to a nested stack's outputs (from the parent, or from another nested stack through the
  // parent) become what those outputs are.
  const resolveOutputs = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolveOutputs);
    if (value && typeof value === 'object') {
      const getAtt = (value as { 'Fn::GetAtt'?: unknown })['Fn::GetAtt'];
      if (Array.isArray(getAtt) && nestedOutputs.has(`${getAtt[0]}.${getAtt[1]}`)) {
        return resolveOutputs(nestedOutputs.get(`${getAtt[0]}.${getAtt[1]}`));
      }
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, resolveOutputs(inner)]));
    }
    return value;
  };
  return {
    ...parent,
    Resources: resolveOutputs(resources) as CfnTemplate['Resources'],
    Outputs: resolveOutputs(parent.Outputs) as CfnTemplate['Outputs'],
  };
}
