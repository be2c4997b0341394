import { readFileSync } from 'node:fs';
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { workflows } from '../../functions/catalogue.ts';
import { prepareDefinition } from '../../functions/local/step-functions/definition.ts';
import { fromRepoRoot } from '../../infra/paths.ts';

/** Each workflow as Step Functions receives it: placeholders replaced by Lambda ARNs. */
function rendered(definitionFile: string): Record<string, unknown> {
  const text = readFileSync(fromRepoRoot(definitionFile), 'utf8').replace(
    /\$\{(\w+)\}/g,
    (_match, taskId: string) => `arn:aws:lambda:eu-north-1:123456789012:function:${taskId}`,
  );
  return JSON.parse(text) as Record<string, unknown>;
}

describe.each(
  workflows.map((workflow) => [workflow.id, workflow] as const),
)('the %s workflow definition', (_id, workflow) => {
  it('is valid Amazon States Language for an independent validator (asl-validator)', () => {
    const result = aslValidator(rendered(workflow.definition));
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('is JSONPath only, so the local engine runs exactly what AWS runs', () => {
    expect(() => prepareDefinition(rendered(workflow.definition))).not.toThrow();
  });
});
