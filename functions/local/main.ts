import { resolve } from 'node:path';
import { startLocalStack } from './local-stack.ts';

/** `npm start`: the local stack on 127.0.0.1:$PORT (3000) with its data in $LOCAL_DATA_DIR (.local/). */
const port = Number(process.env.PORT ?? 3000);
const dataDir = resolve(process.env.LOCAL_DATA_DIR ?? '.local');
const started = Date.now();

const stack = await startLocalStack({ port, dataDir });
console.log(
  `Data in ${dataDir}; started in ${Date.now() - started} ms; virtual clock at ${stack.clock.now().toISOString()}`,
);
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
