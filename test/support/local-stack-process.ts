import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../functions/local/free-port.ts';
import { repoRoot } from '../../infra/paths.ts';

/** The local stack as a user runs it (`npm start`'s command), in its own process so it can be killed. */
export class LocalStackProcess {
  private child: ChildProcess | undefined;
  private output = '';

  private constructor(
    readonly dataDir: string,
    readonly port: number,
    private readonly ownProcessGroup: boolean,
  ) {}

  /**
   * `ownProcessGroup` starts the stack as the leader of a process group of its own, so that
   * `killGroup9` can take it and DynamoDB Local down in the same instant.
   */
  static async create(options: { ownProcessGroup?: boolean } = {}): Promise<LocalStackProcess> {
    const dataDir = await mkdtemp(join(tmpdir(), 'dpa-e2e-'));
    return new LocalStackProcess(dataDir, await freePort(), options.ownProcessGroup ?? false);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get log(): string {
    return this.output;
  }

  async start(): Promise<void> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'functions/local/main.ts'], {
      cwd: repoRoot,
      // A stack of one test: Java started for a short life (see startDynamoDbLocal's QUICK_START).
      env: {
        ...process.env,
        PORT: String(this.port),
        LOCAL_DATA_DIR: this.dataDir,
        DYNAMODB_LOCAL_QUICK_START: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: this.ownProcessGroup,
    });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Local stack did not start:\n${this.output}`)), 90_000);
      const onData = (chunk: Buffer) => {
        this.output += chunk.toString();
        if (this.output.includes(`Local stack ready at ${this.url}`)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', (chunk: Buffer) => {
        this.output += chunk.toString();
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`Local stack exited with ${code}:\n${this.output}`));
      });
    });
  }

  /** `kill -9`: no shutdown hook runs, as when the machine loses power. DynamoDB Local dies with it. */
  async kill9(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /**
   * `kill -9` of the stack and DynamoDB Local together, at once, as a power cut would: no watchdog gets
   * to stop Java gently. Synchronous, so it can run the instant a response arrives.
   */
  killGroup9(): Promise<unknown> {
    const child = this.child;
    if (!this.ownProcessGroup) throw new Error('Start the stack with ownProcessGroup to kill its group');
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-child.pid, 'SIGKILL');
    return exited;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}
