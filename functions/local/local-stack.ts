import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { resolve } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { fromRepoRoot, repoRoot } from '../../infra/paths.ts';
import type { TableDefinition } from '../../infra/synthesized.ts';
import { dailyRuns, httpFunctions, streamConsumers, taskFunctions, workflows } from '../catalogue.ts';
import { resetClients } from '../shared/clients.ts';
import { useClock } from '../shared/clock.ts';
import { resetServiceSigner } from '../shared/service-signer.ts';
import { compileRoute, type LocalRoute, lambdaContext } from './api-gateway.ts';
import { startCommitBarrier } from './dynamodb-commit-barrier.ts';
import { type DynamoDbLocal, startDynamoDbLocal } from './dynamodb-local.ts';
import { type LocalMail, startLocalMail } from './local-mail.ts';
import { ensureSealKeys } from './seal-keys.ts';
import { createLocalServer } from './server.ts';
import { type InvocationContext, LocalStepFunctions } from './step-functions/engine.ts';
import { createStepFunctionsFacade } from './step-functions/facade.ts';
import { type LocalDeployment, loadDeployment } from './synthesis-cache.ts';
import { startTableStreamPoller, type TableStreamPoller } from './table-stream.ts';
import { createTaskFaults, type TaskFaultOptions } from './task-faults.ts';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, openTokenIssuer, type TokenIssuer } from './tokens.ts';
import { VirtualClock } from './virtual-clock.ts';

/**
 * The whole product on one machine: DynamoDB Local, the synthesized state machines on the local
 * Step Functions engine, the handlers CDK deploys behind a local API Gateway, and a virtual clock.
 * Everything it needs to resume lives in `dataDir`.
 */
export interface LocalStackOptions {
  /** 0 picks a free port. */
  port: number;
  dataDir: string;
  /** Host to listen on; loopback only by default. */
  host?: string;
  /** Use this DynamoDB (e.g. the tests' shared DynamoDB Local) instead of starting one in `dataDir`. */
  dynamoEndpoint?: string;
  /**
   * The DynamoDB at `dynamoEndpoint` keeps its data in memory (the tests' shared DynamoDB Local): no
   * kill can lose a write it acknowledged, so the handlers reach it directly instead of through the
   * commit barrier, which costs DynamoDB Local a read after every transaction (measured: the
   * termination workflow tests ran in 43 s instead of 53 s).
   */
  dynamoInMemory?: boolean;
  /**
   * A DynamoDB Local already starting in `<dataDir>/dynamodb` (main.ts spawns Java before it loads
   * anything else); the stack owns it from then on and stops it.
   */
  dynamo?: Promise<DynamoDbLocal>;
  tableName?: string;
  /**
   * Wraps every task function invocation by a state machine; tests use it to inject faults (a Lambda
   * service error on the first attempt) into the real handlers.
   */
  interceptTask?: (taskId: string, payload: unknown, invoke: () => Promise<unknown>) => Promise<unknown>;
  /**
   * Whether the table has its stream and notifications are delivered (rule 15); default true, as
   * `npm start` runs. Test stacks about something else leave it off: DynamoDB Local slows every write
   * to a table with a stream in proportion to the stream records it holds in all its tables (measured:
   * 500 ten-item transactions took 7 s with none held, 149 s with 35,000 held; tables without a stream
   * stay as fast), so a shared DynamoDB Local of a whole test run would slow down test after test.
   */
  deliverNotifications?: boolean;
  /**
   * Makes `rate` of the task invocations fail as Lambda does under trouble, seeded (see task-faults.ts);
   * `npm start` takes it from LOCAL_TASK_FAULT_RATE and LOCAL_TASK_FAULT_SEED.
   */
  taskFaults?: TaskFaultOptions;
}

export interface LocalStack {
  url: string;
  tableName: string;
  clock: VirtualClock;
  stepFunctions: LocalStepFunctions;
  /** Whether the templates came from the synthesis cache or were synthesized at this start. */
  synthesis: 'cache' | 'synthesis';
  /** The mail server standing in for SES (rule 15): its web view, and the mail it received. */
  mail: LocalMail;
  /** The table stream feeding the delivery functions (e-mail, webhooks); `drain()` waits until both have caught up. */
  deliveries: TableStreamPoller;
  stop(): Promise<void>;
}

const REGION = 'eu-north-1';
const ACCOUNT = '000000000000';
export const LOCAL_TABLE_NAME = 'dpa-agreements';
/** The local stack's sender address: on AWS it is a deployment setting (`-c emailSender=`). */
export const LOCAL_EMAIL_SENDER = 'varsel@dpa.localhost';
const functionArn = (id: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${id}`;
const stateMachineArn = (id: string) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${id}`;

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

async function importHandler(entry: string): Promise<Handler> {
  const module = (await import(fromRepoRoot(entry))) as { handler?: Handler };
  if (typeof module.handler !== 'function') throw new Error(`${entry} does not export a handler`);
  return module.handler;
}

/**
 * Where the synthesis is cached (see synthesis-cache.ts): `.local/synthesis-cache/` in the repository,
 * whatever the data folder, so that a fresh data folder starts as fast as an old one.
 * `LOCAL_SYNTH_CACHE=off` synthesizes on every start.
 */
const synthesisCacheDir = () =>
  process.env.LOCAL_SYNTH_CACHE === 'off' ? undefined : fromRepoRoot('.local/synthesis-cache');

/** What start-up loads and opens while DynamoDB Local boots: nothing here needs the database. */
interface Prepared {
  deployment: LocalDeployment;
  synthesis: LocalStack['synthesis'];
  taskHandlers: Map<string, Handler>;
  routeHandlers: Map<string, LocalRoute['handler']>;
  clock: VirtualClock;
  stepFunctions: LocalStepFunctions;
  tokens: TokenIssuer;
  /** The folder of the service signing keys (seals and evidence manifests). */
  sealKeys: string;
  mail: LocalMail;
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const dataDir = resolve(options.dataDir);
  await mkdir(`${dataDir}/dynamodb`, { recursive: true });
  // Java boots first (seconds); the synthesis (or its cache) and the handlers load meanwhile.
  const dynamoStarting: Promise<DynamoDbLocal> =
    options.dynamo ??
    (options.dynamoEndpoint
      ? Promise.resolve({
          endpoint: options.dynamoEndpoint,
          port: Number(new URL(options.dynamoEndpoint).port),
          stop: async () => {},
        })
      : startDynamoDbLocal({ dataDir: `${dataDir}/dynamodb` }));
  dynamoStarting.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
  let prepared: Prepared;
  try {
    prepared = await prepare(dataDir);
  } catch (error) {
    await dynamoStarting.then(
      (dynamo) => dynamo.stop(),
      () => undefined,
    );
    throw error;
  }
  const dynamo = await dynamoStarting;
  try {
    return await startOnDynamo(options, prepared, dynamo);
  } catch (error) {
    prepared.clock.stop();
    await prepared.mail.stop();
    await dynamo.stop();
    throw error;
  }
}

async function prepare(dataDir: string): Promise<Prepared> {
  // The signing key (generated on a first start) and the clock are read meanwhile.
  const tokensOpening = openTokenIssuer(dataDir);
  tokensOpening.catch(() => undefined); // awaited below
  const clockOpening = VirtualClock.open(dataDir);
  clockOpening.catch(() => undefined); // awaited below
  const sealKeysOpening = ensureSealKeys(dataDir);
  sealKeysOpening.catch(() => undefined); // awaited below
  const mailStarting = startLocalMail();
  // Awaited below; stopped again if anything else fails to open.
  mailStarting.catch(() => undefined);
  try {
    return await prepareHandlers(dataDir, tokensOpening, clockOpening, sealKeysOpening, mailStarting);
  } catch (error) {
    await mailStarting.then(
      (mail) => mail.stop(),
      () => undefined,
    );
    throw error;
  }
}

async function prepareHandlers(
  dataDir: string,
  tokensOpening: Promise<TokenIssuer>,
  clockOpening: Promise<VirtualClock>,
  sealKeysOpening: Promise<string>,
  mailStarting: Promise<LocalMail>,
): Promise<Prepared> {
  const { deployment, source } = await loadDeployment({
    repoRoot,
    cacheDir: synthesisCacheDir(),
    functionArn,
  });
  const taskHandlers = new Map<string, Handler>();
  for (const task of taskFunctions) taskHandlers.set(functionArn(task.id), await importHandler(task.entry));
  const routeHandlers = new Map<string, LocalRoute['handler']>();
  for (const route of deployment.routes) {
    const fn = httpFunctions.find((candidate) => candidate.id === route.functionId);
    if (!fn) throw new Error(`Route ${route.routeKey} targets unknown function ${route.functionId}`);
    if (!routeHandlers.has(fn.id))
      routeHandlers.set(fn.id, (await importHandler(fn.entry)) as LocalRoute['handler']);
  }
  const clock = await clockOpening;
  // Reads and compacts the execution journal.
  const stepFunctions = new LocalStepFunctions({ clock, dataDir });
  return {
    deployment,
    synthesis: source,
    taskHandlers,
    routeHandlers,
    clock,
    stepFunctions,
    tokens: await tokensOpening,
    sealKeys: await sealKeysOpening,
    mail: await mailStarting,
  };
}

async function startOnDynamo(
  options: LocalStackOptions,
  prepared: Prepared,
  dynamo: DynamoDbLocal,
): Promise<LocalStack> {
  const { deployment, taskHandlers, clock, stepFunctions, tokens } = prepared;
  // The handlers log and count through Powertools (functions/shared/observability.ts), which reads these
  // on first use: warnings and errors only on this console, no EMF metrics. POWERTOOLS_LOG_LEVEL=INFO
  // npm start shows a JSON line per request and task.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  const tableName = options.tableName ?? LOCAL_TABLE_NAME;
  const { streamViewType, ...withoutStream } = deployment.table;
  const table = options.deliverNotifications === false ? withoutStream : deployment.table;
  await ensureTable(dynamo.endpoint, tableName, table);
  // Handlers reach a DynamoDB Local on disk through the barrier, so no transaction is acknowledged
  // before it is committed (see dynamodb-commit-barrier.ts).
  const barrier = options.dynamoInMemory
    ? undefined
    : await startCommitBarrier({
        target: dynamo.endpoint,
        keyAttributes: () => table.KeySchema.map((key) => key.AttributeName),
      });
  // The handlers run in this process with the real AWS SDK clients; only the endpoints differ.
  Object.assign(process.env, {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: barrier?.endpoint ?? dynamo.endpoint,
    TABLE_NAME: tableName,
    SEAL_KEY_DIR: prepared.sealKeys,
    AWS_ENDPOINT_URL_SESV2: prepared.mail.url,
    EMAIL_SENDER: LOCAL_EMAIL_SENDER,
    // Webhook endpoints on this machine (http://127.0.0.1, http://localhost) are allowed here only.
    WEBHOOK_ALLOW_LOOPBACK: 'true',
    // The local issuer and its audience, verified by the handlers as on AWS; the scopes keep their
    // default names (dpa:read, dpa:write). JWKS_URI follows once the port is known.
    JWT_ISSUER: LOCAL_ISSUER,
    JWT_AUDIENCE: LOCAL_AUDIENCE,
  });
  delete process.env.SCOPE_NAMES;
  delete process.env.EVENT_BUS_NAME;
  delete process.env.SEAL_KEY_ARN;
  resetServiceSigner();

  useClock(() => clock.now());

  const faults = options.taskFaults?.rate ? createTaskFaults(options.taskFaults) : undefined;
  const invokeFunction = async (arn: string, payload: unknown, invocation: InvocationContext) => {
    const handler = taskHandlers.get(arn);
    if (!handler) throw new Error(`No local function ${arn}`);
    const taskId = arn.split(':').pop()!;
    const run = () => handler(payload, lambdaContext(taskId));
    const invoke = faults ? () => faults.run({ taskId, ...invocation }, run) : run;
    return options.interceptTask ? options.interceptTask(taskId, payload, invoke) : invoke();
  };
  for (const workflow of workflows) {
    const deployed = deployment.stateMachines[workflow.id];
    if (!deployed) throw new Error(`The synthesized template has no ${workflow.id} state machine`);
    const arn = stateMachineArn(workflow.id);
    process.env[workflow.arnVariable] = arn;
    stepFunctions.registerStateMachine({
      arn,
      name: workflow.id,
      definition: JSON.parse(deployed),
      invokeFunction,
    });
  }

  for (const run of dailyRuns) {
    const task = taskHandlers.get(functionArn(run.taskId))!;
    clock.daily(run.hour, run.minute, run.timeZone, async () => {
      await task({}, lambdaContext(run.taskId));
    });
  }

  const routes: LocalRoute[] = [];
  for (const route of deployment.routes) {
    const fn = httpFunctions.find((candidate) => candidate.id === route.functionId)!;
    const handler = prepared.routeHandlers.get(fn.id)!;
    routes.push(compileRoute(fn, handler));
  }

  // The Step Functions API listens on a loopback port of its own, apart from the API port, so that
  // nothing but the handlers in this process reaches the workflows (the port is never printed).
  const facade = createStepFunctionsFacade(stepFunctions);
  const controlPlane = createServer((request, response) => void facade(request, response));
  const controlPlanePort = await listen(controlPlane, 0, '127.0.0.1');
  const server = createLocalServer({
    routes,
    tokens,
    mail: prepared.mail,
    clock: {
      now: () => clock.now(),
      advance: async (request) => {
        const settle = () => stepFunctions.idle();
        if (request.advanceBy) await clock.advanceBy(request.advanceBy, settle);
        else if (request.set) await clock.advanceTo(new Date(request.set), settle);
        return clock.now();
      },
    },
  });
  const port = await listen(server, options.port, options.host ?? '127.0.0.1');
  const baseUrl = `http://127.0.0.1:${port}`;
  process.env.API_BASE_URL = baseUrl;
  process.env.TOKEN_URL = `${baseUrl}/local/tokens`;
  // The handlers cache a key set by its address: naming the key in it keeps a key set fetched from an
  // earlier stack on this port (another data folder, another key) from ever answering for this one.
  process.env.JWKS_URI = `${baseUrl}/local/jwks.json?kid=${tokens.keyId}`;
  process.env.AWS_ENDPOINT_URL_SFN = `http://127.0.0.1:${controlPlanePort}`;
  resetClients();
  // Workflows that were waiting when the stack last stopped carry on from DynamoDB's state.
  await stepFunctions.resumeInFlight();
  // Notifications written while the stack was stopped are delivered now (the stream keeps them).
  const pollers =
    options.deliverNotifications === false
      ? []
      : await Promise.all(
          streamConsumers.map((consumer) => {
            const handler = taskHandlers.get(functionArn(consumer.taskId))!;
            return startTableStreamPoller({
              endpoint: dynamo.endpoint,
              region: REGION,
              tableName,
              dataDir: options.dataDir,
              consumer,
              // Through `interceptTask` like a workflow's task: what the stream hands over is not a request's work.
              invoke: (event) => {
                const invoke = () => handler(event, lambdaContext(consumer.taskId));
                return options.interceptTask
                  ? options.interceptTask(consumer.taskId, event, invoke)
                  : invoke();
              },
            });
          }),
        );
  const deliveries: TableStreamPoller = {
    drain: async () => {
      await Promise.all(pollers.map((poller) => poller.drain()));
    },
    stop: async () => {
      await Promise.all(pollers.map((poller) => poller.stop()));
    },
  };

  return {
    url: baseUrl,
    tableName,
    clock,
    stepFunctions,
    synthesis: prepared.synthesis,
    mail: prepared.mail,
    deliveries,
    stop: async () => {
      await deliveries.stop();
      await new Promise<void>((done) => server.close(() => done()));
      server.closeAllConnections();
      await stepFunctions.shutdown();
      await new Promise<void>((done) => controlPlane.close(() => done()));
      controlPlane.closeAllConnections();
      clock.stop();
      await barrier?.stop();
      await prepared.mail.stop();
      await dynamo.stop();
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolvePromise(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** Creates the table as the data stack defines it (key schema, indexes, TTL), unless it exists. */
export async function ensureTable(
  endpoint: string,
  tableName: string,
  table: TableDefinition,
): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const existing = await describedTable(client, tableName);
    if (existing) {
      await reconcileIndexes(client, tableName, table, existing);
      if (table.streamViewType && !existing.StreamSpecification?.StreamEnabled) {
        await client.send(
          new UpdateTableCommand({
            TableName: tableName,
            StreamSpecification: { StreamEnabled: true, StreamViewType: table.streamViewType },
          }),
        );
      }
      return;
    }
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        KeySchema: [...table.KeySchema],
        AttributeDefinitions: [...table.AttributeDefinitions],
        GlobalSecondaryIndexes: table.GlobalSecondaryIndexes.map((index) => ({
          IndexName: index.IndexName,
          KeySchema: [...index.KeySchema],
          Projection: { ...index.Projection },
        })),
        BillingMode: 'PAY_PER_REQUEST',
        ...(table.streamViewType
          ? { StreamSpecification: { StreamEnabled: true, StreamViewType: table.streamViewType } }
          : {}),
      }),
    );
    if (table.ttlAttribute) {
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: tableName,
          TimeToLiveSpecification: { AttributeName: table.ttlAttribute, Enabled: true },
        }),
      );
    }
  } finally {
    client.destroy();
  }
}

async function describedTable(client: DynamoDBClient, tableName: string) {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

/**
 * A data folder from before an index was added (e.g. the seal run's `entriesByDay`) gets it, and one
 * whose index projects other attributes than defined (`entriesByDay` once held keys only) gets it
 * made again, as a CloudFormation update would on AWS; DynamoDB Local fills it from the existing items.
 */
async function reconcileIndexes(
  client: DynamoDBClient,
  tableName: string,
  table: TableDefinition,
  existing: NonNullable<Awaited<ReturnType<typeof describedTable>>>,
): Promise<void> {
  const present = new Map((existing.GlobalSecondaryIndexes ?? []).map((index) => [index.IndexName, index]));
  for (const index of table.GlobalSecondaryIndexes) {
    const found = present.get(index.IndexName);
    if (found?.Projection?.ProjectionType === index.Projection.ProjectionType) continue;
    if (found) {
      await client.send(
        new UpdateTableCommand({
          TableName: tableName,
          GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: index.IndexName } }],
        }),
      );
    }
    const keyNames = new Set(index.KeySchema.map((key) => key.AttributeName));
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: table.AttributeDefinitions.filter((definition) =>
          keyNames.has(definition.AttributeName),
        ),
        GlobalSecondaryIndexUpdates: [
          {
            Create: {
              IndexName: index.IndexName,
              KeySchema: [...index.KeySchema],
              Projection: { ...index.Projection },
            },
          },
        ],
      }),
    );
  }
}
