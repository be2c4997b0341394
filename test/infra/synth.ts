import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Template } from 'aws-cdk-lib/assertions';
import { sourceHash } from '../../functions/local/synthesis-cache.ts';
import { BUNDLING_STACKS_CONTEXT, buildApp, nestedTemplates, STACK_IDS } from '../../infra/build-app.ts';
import { fromRepoRoot, repoRoot } from '../../infra/paths.ts';
import { type CfnTemplate, flattenNestedStacks, type NestedTemplate } from '../../infra/synthesized.ts';

export interface Synthesized {
  readonly data: Template;
  readonly service: Template;
  readonly dataJson: CfnTemplate;
  /**
   * The service stack with its nested stacks' resources merged in (their parameters replaced by what
   * the parent passes), so tests read one template whatever stack a resource is deployed in.
   */
  readonly serviceJson: CfnTemplate;
  /** The service stack and each nested stack as CloudFormation gets them (e.g. to count resources). */
  readonly serviceTemplates: readonly CfnTemplate[];
}

/** The templates of one synthesis, as CloudFormation gets them. */
interface Templates {
  dataJson: CfnTemplate;
  parentJson: CfnTemplate;
  nested: NestedTemplate[];
}

/**
 * The app's templates, without bundling the handlers (the tests read templates, not bundles), with
 * extra CDK context if given (as `-c key=value` would). Call it in `beforeAll`.
 *
 * Synthesizing takes seconds, and most test files of infra/ read the same templates. With `cached`,
 * those of the plain app (no cdk-nag, no context) are kept in `node_modules/.cache/` under the hash of
 * every input of a synthesis (the one the local stack's synthesis cache uses: infra/, the functions it
 * imports, workflows/, cdk.json, the package files, the CDK environment) and of this file, so a change
 * to any of them synthesizes again. Not for a test that mocks a module of the app: the hash is of the
 * files on disk.
 */
export function synthesize(
  options: { nag?: boolean; context?: Record<string, unknown>; cached?: boolean } = {},
): Synthesized {
  const cacheFile =
    options.cached && !options.nag && !options.context
      ? fromRepoRoot(`node_modules/.cache/dpa-infra-synth/${templatesHash()}.json`)
      : undefined;
  const cached = cacheFile ? readTemplates(cacheFile) : undefined;
  const templates = cached ?? synthesizeTemplates(options);
  if (cacheFile && !cached) writeTemplates(cacheFile, templates);
  const { dataJson, parentJson, nested } = templates;
  const serviceJson = flattenNestedStacks(parentJson, nested);
  return {
    data: Template.fromJSON(dataJson as Record<string, unknown>),
    service: Template.fromJSON(serviceJson as Record<string, unknown>),
    dataJson,
    serviceJson,
    serviceTemplates: [parentJson, ...nested.map(({ template }) => template)],
  };
}

function synthesizeTemplates(options: { nag?: boolean; context?: Record<string, unknown> }): Templates {
  const outdir = mkdtempSync(join(tmpdir(), 'dpa-infra-test-'));
  const built = buildApp({
    context: { ...options.context, [BUNDLING_STACKS_CONTEXT]: [] },
    nag: options.nag ?? false,
    outdir,
  });
  const assembly = built.app.synth();
  const dataJson = assembly.getStackByName(STACK_IDS.data).template as CfnTemplate;
  const parentJson = assembly.getStackByName(STACK_IDS.service).template as CfnTemplate;
  return { dataJson, parentJson, nested: nestedTemplates(built.serviceStack, parentJson, outdir) };
}

const templatesHash = () =>
  createHash('sha256')
    .update(sourceHash(repoRoot, (taskId) => taskId))
    .update(readFileSync(fileURLToPath(import.meta.url)))
    .digest('hex')
    .slice(0, 32);

function readTemplates(file: string): Templates | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Templates;
  } catch {
    return undefined; // absent or unreadable: synthesize and write it again
  }
}

/** Written whole under another name, then renamed: a file running beside this one reads all or nothing. */
function writeTemplates(file: string, templates: Templates): void {
  mkdirSync(join(file, '..'), { recursive: true });
  const temporary = `${file}.${randomUUID()}.tmp`;
  writeFileSync(temporary, JSON.stringify(templates));
  renameSync(temporary, file);
}

export interface PolicyStatementJson {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Every Allow statement of every IAM policy (standalone, inline or managed) in a template. */
export const allAllowStatements = (template: CfnTemplate) => allStatements(template, 'Allow');

/** Every statement of the given effect of every IAM policy (standalone, inline or managed) in a template. */
export function allStatements(
  template: CfnTemplate,
  effect: 'Allow' | 'Deny',
): { owner: string; statement: PolicyStatementJson }[] {
  const result: { owner: string; statement: PolicyStatementJson }[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    const documents: unknown[] = [];
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') {
      documents.push(resource.Properties?.PolicyDocument);
    }
    if (resource.Type === 'AWS::IAM::Role') {
      for (const policy of (resource.Properties?.Policies ?? []) as { PolicyDocument: unknown }[]) {
        documents.push(policy.PolicyDocument);
      }
    }
    for (const document of documents) {
      for (const statement of asArray((document as { Statement: PolicyStatementJson[] }).Statement)) {
        if (statement.Effect === effect) result.push({ owner: logicalId, statement });
      }
    }
  }
  return result;
}

/** The Allow statements of the policies attached to one role (by the role's logical id). */
export function statementsOfRole(template: CfnTemplate, roleLogicalId: string): PolicyStatementJson[] {
  const attachedPolicies = new Set(
    Object.entries(template.Resources ?? {})
      .filter(
        ([, resource]) =>
          resource.Type === 'AWS::IAM::Policy' &&
          ((resource.Properties?.Roles ?? []) as unknown[]).some(
            (role) => (role as { Ref?: string }).Ref === roleLogicalId,
          ),
      )
      .map(([logicalId]) => logicalId),
  );
  attachedPolicies.add(roleLogicalId);
  return allAllowStatements(template)
    .filter(({ owner }) => attachedPolicies.has(owner))
    .map(({ statement }) => statement);
}

export const actionsOf = (statements: readonly PolicyStatementJson[]): string[] =>
  [...new Set(statements.flatMap((statement) => asArray(statement.Action)))].sort();

export const resourcesOf = (statement: PolicyStatementJson): unknown[] => asArray(statement.Resource);

/** The role of a Lambda function (by the function's logical id). */
export function roleOfFunction(template: CfnTemplate, functionLogicalId: string): string {
  const role = template.Resources?.[functionLogicalId]?.Properties?.Role as {
    'Fn::GetAtt'?: [string, string];
  };
  const roleLogicalId = role?.['Fn::GetAtt']?.[0];
  if (!roleLogicalId) throw new Error(`Function ${functionLogicalId} has no role in this template`);
  return roleLogicalId;
}

/** The export name under which the data stack shares `Fn::GetAtt`/`Ref` of one of its resources. */
export function exportNameOf(dataTemplate: CfnTemplate, value: unknown): string {
  const outputs = Object.values(
    (dataTemplate.Outputs ?? {}) as Record<string, { Value: unknown; Export?: { Name: string } }>,
  );
  const output = outputs.find((o) => o.Export && JSON.stringify(o.Value) === JSON.stringify(value));
  if (!output?.Export) throw new Error(`The data stack exports no ${JSON.stringify(value)}`);
  return output.Export.Name;
}

/** Logical id of the single resource of a type whose logical id starts with `prefix` (its construct path). */
export function logicalIdOf(template: CfnTemplate, type: string, prefix: string): string {
  const ids = Object.entries(template.Resources ?? {})
    .filter(([logicalId, resource]) => resource.Type === type && logicalId.startsWith(prefix))
    .map(([logicalId]) => logicalId);
  if (ids.length !== 1 || !ids[0]) throw new Error(`Expected one ${type} ${prefix}*, found ${ids.length}`);
  return ids[0];
}

/** Logical id of the single resource of a type. */
export function singleLogicalId(template: CfnTemplate, type: string): string {
  const ids = Object.entries(template.Resources ?? {})
    .filter(([, resource]) => resource.Type === type)
    .map(([logicalId]) => logicalId);
  if (ids.length !== 1 || !ids[0]) throw new Error(`Expected one ${type}, found ${ids.length}`);
  return ids[0];
}
