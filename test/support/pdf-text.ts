import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Runs a poppler tool (`pdftotext`, `pdfinfo`; poppler-utils) on the bytes through a temporary file.
 * Poppler reports a damaged file (a wrong xref offset, a bad object) on stderr and still exits 0.
 */
export function poppler(
  tool: 'pdftotext' | 'pdfinfo',
  bytes: Uint8Array,
  args: readonly string[] = [],
): { stdout: string; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pdf-'));
  try {
    const file = join(dir, 'document.pdf');
    writeFileSync(file, bytes);
    const result = spawnSync(tool, [...args, file, ...(tool === 'pdftotext' ? ['-'] : [])], {
      encoding: 'utf8',
    });
    if (result.error) throw result.error;
    if (result.status !== 0) throw new Error(`${tool} exited with ${result.status}: ${result.stderr}`);
    return { stdout: result.stdout, stderr: result.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The text pdftotext extracts, page by page (`-layout` keeps each line of a page on one line). */
export function pagesOf(bytes: Uint8Array): string[] {
  const pages = poppler('pdftotext', bytes, ['-layout', '-enc', 'UTF-8']).stdout.split('\f');
  // pdftotext ends the last page with a form feed too.
  if (pages.at(-1)?.trim() === '') pages.pop();
  return pages;
}

/** The whole text with every run of white space as one space, so a phrase wrapped over lines is found. */
export function flatText(bytes: Uint8Array): string {
  return pagesOf(bytes).join('\n').replace(/\s+/g, ' ');
}
