import { resolve } from 'node:path';
import { startLocalStack } from './local-stack.ts';
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

const stack = await startLocalStack({ port, dataDir, taskFaults });
console.log(
  `Data in ${dataDir}; started in ${Date.now() - started} ms (${stack.synthesis === 'cache' ? 'synthesis from cache' : 'synthesized'}); virtual clock at ${stack.clock.now().toISOString()}`,
);
if (taskFaults.rate > 0) {
  console.log(
    `Fault injection: ${Number((taskFaults.rate * 100).toFixed(2))}% of workflow task invocations fail (seed ${taskFaults.seed}); one task-fault line each`,
  );
}
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
