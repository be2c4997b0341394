import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  httpFunctions,
  reminderSchedule,
  sealSchedule,
  taskFunctions,
  workflows,
} from '../../functions/catalogue.ts';
import { TABLE_KEYS } from '../../functions/store/table-layout.ts';
import { type SynthesizedTemplates, synthesizeTemplates } from '../../infra/build-app.ts';
import {
  catalogueFunctions,
  httpRoutes,
  renderDefinition,
  schedules,
  tableDefinition,
  type WorkflowDefinition,
  workflowDefinitions,
} from '../../infra/synthesized.ts';

const fakeArn = (taskId: string) => `arn:aws:lambda:eu-north-1:000000000000:function:${taskId}`;

/** Every `FunctionName` of a Task state, through Parallel branches. */
function taskFunctionNames(states: Record<string, Record<string, unknown>>): string[] {
  return Object.values(states).flatMap((state) => [
    ...(state.Type === 'Task' ? [(state.Parameters as { FunctionName: string }).FunctionName] : []),
    ...((state.Branches ?? []) as { States: Record<string, Record<string, unknown>> }[]).flatMap((branch) =>
      taskFunctionNames(branch.States),
    ),
  ]);
}

let templates: SynthesizedTemplates;

beforeAll(() => {
  templates = synthesizeTemplates();
});

describe('reading the synthesized templates (for the local stack)', () => {
  it('tableDefinition gives the key schema, attributes and indexes of the table layout', () => {
    const table = tableDefinition(templates.data);
    expect(table.KeySchema).toEqual([
      { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
    ]);
    expect(table.GlobalSecondaryIndexes.map((index) => index.IndexName).sort()).toEqual(
      [
        TABLE_KEYS.byOrganisation.indexName,
        TABLE_KEYS.dueReminders.indexName,
        TABLE_KEYS.entriesByDay.indexName,
      ].sort(),
    );
    expect(table.AttributeDefinitions).toContainEqual({
      AttributeName: TABLE_KEYS.dueReminders.sortKey,
      AttributeType: 'S',
    });
    expect(table.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.ttlAttribute).toBe(TABLE_KEYS.ttlAttribute);
  });

  it('catalogueFunctions finds every catalogue function by its id', () => {
    expect(Object.keys(catalogueFunctions(templates.service)).sort()).toEqual(
      [...httpFunctions, ...taskFunctions].map((fn) => fn.id).sort(),
    );
  });

  it('workflowDefinitions finds every catalogue workflow by its id', () => {
    expect(Object.keys(workflowDefinitions(templates.service)).sort()).toEqual(
      workflows.map((workflow) => workflow.id).sort(),
    );
  });

  it.each(
    workflows,
  )('workflowDefinitions gives the $id workflow as written, each placeholder mapped to its catalogue task', (catalogued) => {
    const workflow = workflowDefinitions(templates.service)[catalogued.id];
    expect(workflow?.definitionString).toBe(
      readFileSync(new URL(`../../${catalogued.definition}`, import.meta.url), 'utf8'),
    );
    expect(
      Object.fromEntries(Object.entries(workflow?.substitutions ?? {}).map(([key, s]) => [key, s.taskId])),
    ).toEqual(Object.fromEntries(catalogued.tasks.map((taskId) => [taskId, taskId])));
  });

  it.each(
    workflows,
  )('renderDefinition yields $id ASL whose every task invokes the given ARN of one of its tasks', (catalogued) => {
    const workflow = workflowDefinitions(templates.service)[catalogued.id]!;
    const asl = JSON.parse(renderDefinition(workflow, fakeArn)) as {
      States: Record<string, Record<string, unknown>>;
    };
    const invoked = new Set(taskFunctionNames(asl.States));
    expect(invoked).toEqual(new Set(catalogued.tasks.map(fakeArn)));
  });

  it('renderDefinition refuses a placeholder the template does not substitute', () => {
    const workflow: WorkflowDefinition = {
      workflowId: 'signing',
      logicalId: 'X',
      definitionString: JSON.stringify({
        StartAt: 'A',
        States: { A: { Type: 'Task', Resource: `\${unknownTask}`, End: true } },
      }),
      substitutions: {},
    };
    expect(() => renderDefinition(workflow, fakeArn)).toThrow(/unknownTask/);
  });

  it('httpRoutes gives each route with its function, as in the catalogue', () => {
    const routes = httpRoutes(templates.service)
      .map(({ routeKey, functionId }) => ({ routeKey, functionId }))
      .sort((a, b) => a.routeKey.localeCompare(b.routeKey));
    const expected = httpFunctions
      .map((fn) => ({ routeKey: `${fn.method} ${fn.path}`, functionId: fn.id }))
      .sort((a, b) => a.routeKey.localeCompare(b.routeKey));
    expect(routes).toEqual(expected);
  });

  it('schedules gives the daily reminder and seal runs in Oslo time with their functions', () => {
    expect(schedules(templates.service)).toEqual(
      expect.arrayContaining([
        {
          scheduleExpression: 'cron(30 1 * * ? *)',
          timeZone: sealSchedule.timeZone,
          functionId: sealSchedule.taskId,
          input: JSON.stringify({ scheduledTime: '<aws.scheduler.scheduled-time>' }),
        },
        {
          scheduleExpression: 'cron(0 7 * * ? *)',
          timeZone: reminderSchedule.timeZone,
          functionId: reminderSchedule.taskId,
          input: JSON.stringify({ scheduledTime: '<aws.scheduler.scheduled-time>' }),
        },
      ]),
    );
    expect(schedules(templates.service)).toHaveLength(2);
  });
});
