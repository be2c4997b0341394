import { fileURLToPath } from 'node:url';

/**
 * The repository root, resolved from this file rather than from the working directory, so that
 * `cdk synth`, the tests and the local stack all find the same entries and definition files.
 */
export const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** An absolute path for a path given from the repository root (as the catalogue gives them). */
export const fromRepoRoot = (relativePath: string): string =>
  fileURLToPath(new URL(`../${relativePath}`, import.meta.url));
