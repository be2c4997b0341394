import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { startDynamoDbLocal } from './dynamodb-local.ts';
import { type TaskFaultSettings, taskFaultSettingsFromEnv } from './task-faults.ts';

/**
 * `npm start`: the local stack on 127.0.0.1:$PORT (3000) with its data in $LOCAL_DATA_DIR (.local/);
 * LOCAL_TASK_FAULT_RATE (0..1) and LOCAL_TASK_FAULT_SEED make workflow tasks fail (task-faults.ts).
 */
const port = Number(process.env.PORT ?? 3000);
const dataDir = resolve(process.env.LOCAL_DATA_DIR ?? '.local');
let taskFaults: TaskFaultSettings;
try {
  taskFaults = taskFaultSettingsFromEnv(process.env);
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
const started = Date.now();

// Java first: DynamoDB Local takes seconds to boot, and everything else loads meanwhile (the local
// stack's own modules included, hence the dynamic import).
await mkdir(`${dataDir}/dynamodb`, { recursive: true });
const dynamo = startDynamoDbLocal({ dataDir: `${dataDir}/dynamodb` });
dynamo.catch(() => undefined); // awaited by startLocalStack
const { startLocalStack } = await import('./local-stack.ts');
const stack = await startLocalStack({ port, dataDir, taskFaults, dynamo });
console.log(
  `Data in ${dataDir}; started in ${Date.now() - started} ms (${stack.synthesis === 'cache' ? 'synthesis from cache' : 'synthesized'}); virtual clock at ${stack.clock.now().toISOString()}`,
);
if (taskFaults.rate > 0) {
  console.log(
    `Fault injection: ${Number((taskFaults.rate * 100).toFixed(2))}% of workflow task invocations fail (seed ${taskFaults.seed}); one task-fault line each`,
  );
}
console.log(`Mail to the contact persons: ${stack.mail.url} (web view), or GET ${stack.url}/local/mail`);
console.log(`Local stack ready at ${stack.url}`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void stack.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
