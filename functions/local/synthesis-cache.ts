import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RouteDefinition, TableDefinition } from '../../infra/synthesized.ts';
import { writeFileAtomic } from './virtual-clock.ts';

/**
 * What the local stack takes from the synthesized CDK app: the table's shape, every state machine's
 * ASL with the task ARNs substituted, and the HTTP routes. Synthesizing (and merely importing
 * aws-cdk-lib) costs several seconds, so the result is kept in a cache file named by a hash of every
 * input that can change the templates: all of `infra/`, the files under `functions/` that `infra/`
 * imports (the catalogue, the table layout...), `workflows/`, `cdk.json`, `package.json`,
 * `package-lock.json` (the CDK version), the CDK environment variables and the ARN scheme the ASL is
 * rendered with. Any change to any of them gives another hash, so a stale synthesis is never used:
 * the ASL the local engine runs is always the ASL CDK synthesizes from the sources on disk.
 */
export interface LocalDeployment {
  table: TableDefinition;
  /** Workflow id -> ASL (JSON text) as deployed, each `${placeholder}` replaced by a function ARN. */
  stateMachines: Record<string, string>;
  routes: RouteDefinition[];
}

export interface LoadDeploymentOptions {
  /** The repository root (where `infra/`, `workflows/` and `cdk.json` are). */
  repoRoot: string;
  /** Folder of the cache files; `undefined` disables the cache (always synthesize). */
  cacheDir: string | undefined;
  /** The ARN the ASL names for a task function id. */
  functionArn: (taskId: string) => string;
}

export interface LoadedDeployment {
  deployment: LocalDeployment;
  /** `cache` when read from a cache file with the current inputs' hash. */
  source: 'cache' | 'synthesis';
  hash: string;
}

/** Bumped whenever the shape of a cache file changes. */
const CACHE_FORMAT = 'local-deployment/2';
/** Inputs always hashed, relative to the repository root (folders recursively). */
const INPUTS = ['infra', 'workflows', 'cdk.json', 'package.json', 'package-lock.json'];
const CDK_ENVIRONMENT = ['CDK_DEFAULT_ACCOUNT', 'CDK_DEFAULT_REGION', 'CDK_CONTEXT_JSON'];

export async function loadDeployment(options: LoadDeploymentOptions): Promise<LoadedDeployment> {
  const hash = sourceHash(options.repoRoot, options.functionArn);
  const file = options.cacheDir ? join(options.cacheDir, `synthesis-${hash}.json`) : undefined;
  if (file) {
    const cached = await readCache(file, hash);
    if (cached) return { deployment: cached, source: 'cache', hash };
  }
  const deployment = await synthesize(options.functionArn);
  if (file && options.cacheDir) await writeCache(options.cacheDir, file, hash, deployment);
  return { deployment, source: 'synthesis', hash };
}

/**
 * The hash of every input of the synthesis (see the module comment). Cheap: a few hundred kilobytes
 * read and hashed, no TypeScript evaluated.
 */
export function sourceHash(repoRoot: string, functionArn: (taskId: string) => string): string {
  const root = resolve(repoRoot);
  const files = new Set<string>();
  for (const input of INPUTS) collectFiles(join(root, input), files);
  // The TypeScript under functions/ (or anywhere) that infra/ imports, transitively.
  const queue = [...files].filter((file) => /\.[cm]?ts$/.test(file));
  while (queue.length > 0) {
    const file = queue.pop()!;
    for (const imported of relativeImports(file)) {
      if (files.has(imported) || !existsSync(imported)) continue;
      files.add(imported);
      queue.push(imported);
    }
  }
  // How the templates are read and rendered is an input too (its imports are not).
  files.add(fileURLToPath(import.meta.url));
  const digest = createHash('sha256');
  digest.update(`${CACHE_FORMAT}\0`);
  for (const name of CDK_ENVIRONMENT) digest.update(`${name}=${process.env[name] ?? ''}\0`);
  digest.update(`arn=${functionArn('{taskId}')}\0`);
  for (const file of [...files].sort()) {
    digest.update(`${relative(root, file)}\0`);
    digest.update(readFileSync(file));
    digest.update('\0');
  }
  return digest.digest('hex').slice(0, 32);
}

function collectFiles(path: string, into: Set<string>): void {
  let stats: ReturnType<typeof statSync>;
  try {
    stats = statSync(path);
  } catch {
    return; // an absent input hashes as absent
  }
  if (stats.isFile()) {
    into.add(path);
    return;
  }
  if (!stats.isDirectory()) return;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    collectFiles(join(path, entry), into);
  }
}

const IMPORT_SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

/** The relative module specifiers of a TypeScript file, resolved to paths (`import type` included). */
function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT_SPECIFIER)].map((match) => resolve(dirname(file), match[1]!));
}

async function readCache(file: string, hash: string): Promise<LocalDeployment | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as { format?: unknown; hash?: unknown; deployment?: LocalDeployment };
    const deployment = parsed.deployment;
    if (
      parsed.format !== CACHE_FORMAT ||
      parsed.hash !== hash ||
      !deployment ||
      typeof deployment.table !== 'object' ||
      typeof deployment.stateMachines !== 'object' ||
      !Array.isArray(deployment.routes)
    ) {
      return undefined;
    }
    return deployment;
  } catch {
    return undefined; // unreadable: synthesize again and replace it
  }
}

async function writeCache(
  cacheDir: string,
  file: string,
  hash: string,
  deployment: LocalDeployment,
): Promise<void> {
  try {
    await mkdir(cacheDir, { recursive: true });
    await writeFileAtomic(file, `${JSON.stringify({ format: CACHE_FORMAT, hash, deployment })}\n`);
    // Only the current synthesis is worth keeping.
    for (const name of await readdir(cacheDir)) {
      if (/^synthesis-[0-9a-f]+\.json$/.test(name) && join(cacheDir, name) !== file) {
        await unlink(join(cacheDir, name)).catch(() => undefined);
      }
    }
  } catch (error) {
    console.warn(`Could not cache the synthesis in ${cacheDir}: ${(error as Error).message}`);
  }
}

/** Synthesizes the CDK app in-process (bundling skipped) and extracts what the local stack runs. */
async function synthesize(functionArn: (taskId: string) => string): Promise<LocalDeployment> {
  // Imported here, not at the top: aws-cdk-lib alone takes about a second to load.
  const [{ synthesizeTemplates }, synthesized] = await Promise.all([
    import('../../infra/build-app.ts'),
    import('../../infra/synthesized.ts'),
  ]);
  const templates = synthesizeTemplates();
  const stateMachines: Record<string, string> = {};
  for (const [id, workflow] of Object.entries(synthesized.workflowDefinitions(templates.service))) {
    stateMachines[id] = synthesized.renderDefinition(workflow, functionArn);
  }
  return {
    table: synthesized.tableDefinition(templates.data),
    stateMachines,
    routes: synthesized.httpRoutes(templates.service),
  };
}
