import { spawnSync } from 'node:child_process';
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

/** Runs the sketch on a pack with the keys pinned, in a folder of its own, as its reader would. */
export function runStandardToolsSketch(
  pack: Uint8Array,
  jwks: unknown,
): { status: number | null; output: string } {
  const where = mkdtempSync(join(tmpdir(), 'dpa-sketch-'));
  try {
    writeFileSync(join(where, 'pack.zip'), pack);
    writeFileSync(join(where, 'jwks.json'), JSON.stringify(jwks));
    const result = spawnSync('bash', ['-c', standardToolsSketch()], { cwd: where, encoding: 'utf8' });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  } finally {
    rmSync(where, { recursive: true, force: true });
  }
}
