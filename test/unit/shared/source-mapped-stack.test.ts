import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourceMappedStack } from '../../../functions/shared/source-mapped-stack.ts';

const run = promisify(execFile);

/** A minified bundle with its map beside it, as CDK deploys a function, and one without a map. */
let dir: string;

/** The stack as Lambda's Node prints it: a fresh process, source maps not enabled. */
const stackOf = async (file: string) => {
  const script = `import(${JSON.stringify(pathToFileURL(file).href)}).then((m) => { try { m.fail() } catch (e) { process.stdout.write(e.stack) } })`;
  const { stdout } = await run(process.execPath, ['--no-enable-source-maps', '-e', script]);
  return stdout;
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dpa-source-map-'));
  const source = join(dir, 'failing-module.ts');
  await writeFile(
    source,
    [
      'export function fail(): void {',
      '  const reason = "the second line of this function throws";',
      '  throw new Error(reason);',
      '}',
      '',
    ].join('\n'),
  );
  for (const [outfile, sourcemap] of [
    ['with-map/index.mjs', true],
    ['without-map/index.mjs', false],
  ] as const) {
    await build({
      entryPoints: [source],
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'node',
      sourcemap,
      outfile: join(dir, outfile),
      logLevel: 'silent',
    });
  }
});

afterAll(() => rm(dir, { recursive: true, force: true }));

describe('sourceMappedStack', () => {
  it('rewrites the frames of a minified bundle to the line and file of the original source', async () => {
    const stack = await stackOf(join(dir, 'with-map/index.mjs'));
    expect(stack).toMatch(/index\.mjs:1:\d+/);

    const mapped = sourceMappedStack(stack);

    expect(mapped).toMatch(/failing-module\.ts:3:\d+/);
    expect(mapped).not.toMatch(/with-map\/index\.mjs:1:/);
    expect(mapped.split('\n')[0]).toBe('Error: the second line of this function throws');
  });

  it('leaves frames alone when no map lies beside the file', async () => {
    const stack = await stackOf(join(dir, 'without-map/index.mjs'));

    expect(sourceMappedStack(stack)).toBe(stack);
  });

  it('leaves frames of Node internals and of unknown files alone', () => {
    const stack = [
      'Error: boom',
      '    at node:internal/process/task_queues:105:5',
      '    at handler (/nowhere/index.mjs:1:99)',
    ].join('\n');

    expect(sourceMappedStack(stack)).toBe(stack);
  });
});
