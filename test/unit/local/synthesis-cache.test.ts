import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadDeployment, sourceHash } from '../../../functions/local/synthesis-cache.ts';
import { removeDir } from './engine-fixture.ts';

/**
 * The synthesis cache may only ever give what CDK would synthesize from the sources on disk: every
 * input of the synthesis is in the hash that names the cache file, so a changed input means another
 * file, and the old synthesis is not used.
 */
const arn = (id: string) => `arn:aws:lambda:eu-north-1:000000000000:function:${id}`;
let root: string;

async function put(path: string, text: string): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), text);
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'synthesis-cache-'));
  await put('infra/app.ts', "import { catalogue } from '../functions/catalogue.ts';\n");
  await put('infra/constructs/table.ts', "import type { Layout } from '../../functions/store/layout.ts';\n");
  await put('functions/catalogue.ts', "export const catalogue = [{ entry: 'functions/http/create.ts' }];\n");
  await put('functions/store/layout.ts', "export { keys } from './keys.ts';\n");
  await put('functions/store/keys.ts', "export const keys = ['pk', 'sk'];\n");
  await put('functions/http/create.ts', 'export const handler = () => 201;\n');
  await put('workflows/signing.asl.json', '{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}\n');
  await put('cdk.json', '{"app":"node infra/app.ts"}\n');
  await put('package.json', '{"name":"x"}\n');
  await put('package-lock.json', '{"lockfileVersion":3}\n');
});

afterEach(async () => {
  delete process.env.CDK_DEFAULT_REGION;
  await removeDir(root);
});

describe('the synthesis cache key', () => {
  it.each([
    [
      'infra/constructs/table.ts',
      "import type { Layout } from '../../functions/store/layout.ts'; // changed\n",
    ],
    ['functions/catalogue.ts', "export const catalogue = [{ entry: 'functions/http/other.ts' }];\n"],
    ['functions/store/keys.ts', "export const keys = ['pk', 'sk', 'gsi1pk'];\n"],
    ['workflows/signing.asl.json', '{"StartAt":"B","States":{"B":{"Type":"Succeed"}}}\n'],
    ['workflows/termination.asl.json', '{}\n'],
    ['cdk.json', '{"app":"node infra/app.ts","context":{"jwtAudience":"x"}}\n'],
    ['package.json', '{"name":"x","version":"2"}\n'],
    ['package-lock.json', '{"lockfileVersion":3,"packages":{"node_modules/aws-cdk-lib":{}}}\n'],
    ['infra/new-stack.ts', 'export {};\n'],
  ])('changes when %s changes (an input of the synthesis, directly or through an import)', async (path, text) => {
    const before = sourceHash(root, arn);
    await put(path, text);
    expect(sourceHash(root, arn)).not.toBe(before);
  });

  it('stays the same when a file the synthesis does not read changes (a handler, a test)', async () => {
    const before = sourceHash(root, arn);
    await put('functions/http/create.ts', 'export const handler = () => 200;\n');
    await put('test/unit/x.test.ts', 'export {};\n');
    expect(sourceHash(root, arn)).toBe(before);
  });

  it('changes with the CDK environment and with the ARNs the ASL is rendered with', () => {
    const before = sourceHash(root, arn);
    process.env.CDK_DEFAULT_REGION = 'eu-west-1';
    expect(sourceHash(root, arn)).not.toBe(before);
    delete process.env.CDK_DEFAULT_REGION;
    expect(sourceHash(root, arn)).toBe(before);
    expect(sourceHash(root, (id) => `arn:aws:lambda:eu-west-1:000000000000:function:${id}`)).not.toBe(before);
  });
});

describe('loadDeployment', () => {
  it('uses the cache file named by the current hash, and only when it holds that hash', async () => {
    const cacheDir = join(root, '.local/synthesis-cache');
    const hash = sourceHash(root, arn);
    const deployment = { table: { logicalId: 'T' }, stateMachines: { signing: '{}' }, routes: [] };
    await put(
      `.local/synthesis-cache/synthesis-${hash}.json`,
      JSON.stringify({ format: 'local-deployment/2', hash, deployment }),
    );

    const loaded = await loadDeployment({ repoRoot: root, cacheDir, functionArn: arn });

    expect(loaded).toEqual({ source: 'cache', hash, deployment });
  });
});
