import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, NestedStack, type Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DEFAULT_SCOPE_NAMES, SCOPE_NAME, type ScopeNames } from '../functions/shared/deployment-settings.ts';
import { DataStack } from './data-stack.ts';
import { fromRepoRoot } from './paths.ts';
import { ServiceStack } from './service-stack.ts';
import { type CfnTemplate, flattenNestedStacks, type NestedTemplate } from './synthesized.ts';

/** Context key that lists the stacks whose assets are bundled; `[]` skips esbuild entirely. */
export const BUNDLING_STACKS_CONTEXT = 'aws:cdk:bundling-stacks';

export interface BuildAppOptions {
  /**
   * Context that overrides `cdk.json` and the CLI, e.g. `{ 'aws:cdk:bundling-stacks': [] }` to
   * synthesize templates without bundling the handlers.
   */
  readonly context?: Record<string, unknown>;
  /** Run the cdk-nag AwsSolutions checks during synthesis (default true). */
  readonly nag?: boolean;
  /** Where `app.synth()` writes the cloud assembly (default: the CLI's, or a temporary directory). */
  readonly outdir?: string;
}

export interface BuiltApp {
  readonly app: App;
  readonly dataStack: DataStack;
  readonly serviceStack: ServiceStack;
}

/**
 * Settings this app relies on, unless cdk.json says otherwise. Strong cross-stack references
 * (CloudFormation exports) stop the data stack from dropping the table's exports while the service
 * stack still uses them.
 */
const APP_DEFAULT_CONTEXT: Record<string, unknown> = {
  '@aws-cdk/core:defaultCrossStackReferences': 'strong',
};

/** Names of the two stacks of the default stage (also their CloudFormation stack names). */
export const STACK_IDS = { data: 'DpaData', service: 'DpaService' } as const;

/** The stage when `-c stage=…` names none: the settings of `infra/stages/default.json`. */
export const DEFAULT_STAGE = 'default';

/** A stage's stacks: the default stage's are `DpaData` and `DpaService`, another's end in `-<stage>`. */
export const stackIdsOf = (stage: string) =>
  stage === DEFAULT_STAGE
    ? STACK_IDS
    : { data: `${STACK_IDS.data}-${stage}`, service: `${STACK_IDS.service}-${stage}` };

/** A deployment setting: `-c key=value` first, then the stage's file. */
type Setting = (key: string) => unknown;

/**
 * `-c stage=<name>` (default `default`): the settings of `infra/stages/<name>.json` (issuer, audience,
 * key set, scopes, region, e-mail sender and identity, alarm e-mail), each overridden by a `-c` of its own.
 */
function stageOf(app: App): { name: string; settings: Record<string, unknown> } {
  const name: unknown = app.node.tryGetContext('stage') ?? DEFAULT_STAGE;
  const stages = readdirSync(fromRepoRoot('infra/stages'))
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length));
  if (typeof name !== 'string' || !stages.includes(name)) {
    throw new Error(
      `Unknown stage ${String(name)}: -c stage= takes one of ${stages.sort().join(', ')} (infra/stages/)`,
    );
  }
  const settings = JSON.parse(readFileSync(fromRepoRoot(`infra/stages/${name}.json`), 'utf8')) as Record<
    string,
    unknown
  >;
  return { name, settings };
}

/**
 * The CDK app, built in-process: `infra/app.ts` synthesizes it for the CLI; tests and the local
 * stack synthesize it themselves. The context of `cdk.json` is applied here too, so an in-process
 * build sees the same settings as `cdk synth`.
 */
export function buildApp(options: BuildAppOptions = {}): BuiltApp {
  const app = new App({
    context: { ...APP_DEFAULT_CONTEXT, ...cdkJsonContext() },
    postCliContext: options.context,
    ...(options.outdir ? { outdir: options.outdir } : {}),
  });

  const stage = stageOf(app);
  const setting: Setting = (key) => app.node.tryGetContext(key) ?? stage.settings[key];
  const ids = stackIdsOf(stage.name);

  // The stage's region where it names one (a data-residency choice: eu-north-1, Stockholm); else
  // environment-agnostic unless the CLI resolved an account/region. Synth works offline either way.
  const region = setting('region');
  if (region !== undefined && (typeof region !== 'string' || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region))) {
    throw new Error(`The setting "region" must be an AWS region such as eu-north-1 (got ${String(region)})`);
  }
  const env = {
    account: process.env.CDK_DEFAULT_ACCOUNT || undefined,
    region: (region as string | undefined) ?? (process.env.CDK_DEFAULT_REGION || undefined),
  };

  const product = `Data processing agreements${stage.name === DEFAULT_STAGE ? '' : ` (${stage.name})`}`;
  const dataStack = new DataStack(app, ids.data, {
    env,
    description: `${product}: the agreements table and its key (retained)`,
  });
  const serviceStack = new ServiceStack(app, ids.service, {
    env,
    description: `${product}: API, functions, workflows, schedule and notifications`,
    table: dataStack.table,
    tableKey: dataStack.tableKey,
    sealKey: dataStack.sealKey,
    retiredSealKeyArns: listContext(setting, 'retiredSealKeyArns'),
    jwtIssuer: requiredContext(setting, 'jwtIssuer'),
    jwtAudience: requiredContext(setting, 'jwtAudience'),
    jwksUri: httpsUrlContext(setting, 'jwksUri'),
    scopeNames: scopeNamesContext(setting),
    emailSender: emailContext(setting, 'emailSender'),
    emailIdentity: requiredContext(setting, 'emailIdentity'),
    ...optionalEmailContext(setting, 'alarmEmail'),
    ...optionalEmailContext(setting, 'apiContactEmail'),
  });

  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

  return { app, dataStack, serviceStack };
}

/** `-c retiredSealKeyArns=arn1,arn2` (or a list in cdk.json): KMS keys that signed earlier seals. */
function listContext(setting: Setting, key: string): string[] {
  const value = setting(key);
  if (value === undefined || value === '') return [];
  const list = Array.isArray(value) ? value : String(value).split(',');
  for (const arn of list) {
    if (typeof arn !== 'string' || !/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]+$/.test(arn)) {
      throw new Error(`The CDK context value "${key}" must list KMS key ARNs (got ${String(arn)})`);
    }
  }
  return list as string[];
}

function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(fromRepoRoot('cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

function requiredContext(setting: Setting, key: string): string {
  const value = setting(key);
  if (typeof value !== 'string' || value === '') {
    throw new Error(`Set the CDK context value "${key}" (cdk.json or -c ${key}=...)`);
  }
  return value;
}

/** A setting that must be an https URL, e.g. `-c jwksUri=https://test.maskinporten.no/jwk`. */
function httpsUrlContext(setting: Setting, key: string): string {
  const value = requiredContext(setting, key);
  if (!URL.canParse(value) || new URL(value).protocol !== 'https:') {
    throw new Error(`The CDK context value "${key}" must be an https URL (got ${value})`);
  }
  return value;
}

/**
 * `-c readScope=<prefix>:dpa.read -c writeScope=<prefix>:dpa.write`: the scope names Digdir assigned
 * the deployment; `dpa:read` and `dpa:write` (the local stack's) when not given.
 */
function scopeNamesContext(setting: Setting): ScopeNames {
  const nameOf = (key: string, fallback: string) => {
    const value = setting(key) ?? fallback;
    if (typeof value !== 'string' || !SCOPE_NAME.test(value)) {
      throw new Error(
        `The CDK context value "${key}" must be a Maskinporten scope name, <prefix>:<subscope> (got ${String(value)})`,
      );
    }
    return value;
  };
  const names = {
    'dpa:read': nameOf('readScope', DEFAULT_SCOPE_NAMES['dpa:read']),
    'dpa:write': nameOf('writeScope', DEFAULT_SCOPE_NAMES['dpa:write']),
  };
  if (names['dpa:read'] === names['dpa:write']) {
    throw new Error(
      'The CDK context values "readScope" and "writeScope" must differ: a read-only token would write',
    );
  }
  return names;
}

/**
 * `-c alarmEmail=oncall@example.no` (nobody is subscribed without it), `-c apiContactEmail=...` (the
 * OpenAPI document names no address without it): one address, or nothing.
 */
function optionalEmailContext<Key extends string>(setting: Setting, key: Key): Partial<Record<Key, string>> {
  const value = setting(key);
  if (value === undefined || value === '') return {};
  return { [key]: emailContext(setting, key) } as Partial<Record<Key, string>>;
}

/** A context value that must be one e-mail address. */
function emailContext(setting: Setting, key: string): string {
  const value = setting(key);
  if (typeof value !== 'string' || !/^[^@\s,]+@[^@\s,]+\.[^@\s,]+$/.test(value)) {
    throw new Error(
      `The CDK context value "${key}" must be one e-mail address (-c ${key}=varsel@example.no)`,
    );
  }
  return value;
}

/** The synthesized templates of both stacks, as CloudFormation JSON. */
export interface SynthesizedTemplates {
  readonly data: CfnTemplate;
  readonly service: CfnTemplate;
}

/**
 * Synthesizes the app without bundling the handlers (the local stack needs the templates, not the
 * bundles) and returns both templates, the service stack's with its nested stacks' resources merged
 * in; read them with the functions in `synthesized.ts`.
 * cdk-nag is off unless asked for: it changes nothing in the templates and costs time at start-up.
 */
export function synthesizeTemplates(options: { nag?: boolean; outdir?: string } = {}): SynthesizedTemplates {
  const built = buildApp({
    context: { [BUNDLING_STACKS_CONTEXT]: [] },
    nag: options.nag ?? false,
    ...(options.outdir ? { outdir: options.outdir } : {}),
  });
  const { app, serviceStack } = built;
  const assembly = app.synth();
  const parent = assembly.getStackByName(STACK_IDS.service).template as CfnTemplate;
  return {
    data: assembly.getStackByName(STACK_IDS.data).template as CfnTemplate,
    service: flattenNestedStacks(parent, nestedTemplates(serviceStack, parent, assembly.directory)),
  };
}

/** The service stack's nested stacks (the HTTP API, operations) as synthesized into `outdir`. */
export function nestedTemplates(serviceStack: Stack, parent: CfnTemplate, outdir: string): NestedTemplate[] {
  return serviceStack.node
    .findAll()
    .filter((construct): construct is NestedStack => NestedStack.isNestedStack(construct))
    .map((stack) => {
      const logicalId = serviceStack.resolve(stack.nestedStackResource!.logicalId) as string;
      const resource = parent.Resources?.[logicalId];
      return {
        logicalId,
        template: JSON.parse(readFileSync(join(outdir, stack.templateFile), 'utf8')) as CfnTemplate,
        parameters: (resource?.Properties?.Parameters ?? {}) as Record<string, unknown>,
      };
    });
}
