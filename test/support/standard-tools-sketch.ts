import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../infra/paths.ts';

/**
 * The bash verification sketch that docs/evidence-format.md prints under "Verifying with standard
 * tools", exactly as printed: the proof that a third party can verify a pack without our code.
 */
export const standardToolsSketch = (): string => {
  const documented = readFileSync(join(repoRoot, 'docs/evidence-format.md'), 'utf8');
  return /## Verifying with standard tools[\s\S]*?```sh\n([\s\S]*?)```/.exec(documented)?.[1] ?? '';
};

/**
 * Runs the sketch on a pack with the keys pinned, in a folder of its own, as its reader would. Not
 * synchronously: a test that blocked its event loop for seconds would find its HTTP client's kept-alive
 * connections closed under it by the server.
 */
export async function runStandardToolsSketch(
  pack: Uint8Array,
  jwks: unknown,
): Promise<{ status: number | null; output: string }> {
  const where = mkdtempSync(join(tmpdir(), 'dpa-sketch-'));
  try {
    writeFileSync(join(where, 'pack.zip'), pack);
    writeFileSync(join(where, 'jwks.json'), JSON.stringify(jwks));
    return await new Promise((resolve) => {
      execFile(
        'bash',
        ['-c', standardToolsSketch()],
        { cwd: where, encoding: 'utf8' },
        (error, stdout, stderr) => {
          const status = error ? (typeof error.code === 'number' ? error.code : null) : 0;
          resolve({ status, output: `${stdout}${stderr}` });
        },
      );
    });
  } finally {
    rmSync(where, { recursive: true, force: true });
  }
}
