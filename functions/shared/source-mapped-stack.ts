import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * Stack traces in the original sources, paid for only when an error is logged. The deployed bundle is
 * minified and ships its source map beside it (`index.mjs.map`); Node's `--enable-source-maps` would
 * read and parse that map on every cold start (about 50 ms), for the rare invocation that fails.
 * Instead the map is read the first time a stack needs it and kept for the life of the container.
 * Frames of files without a map beside them (the local stack runs the sources) stay as they are.
 */
const FRAME_LOCATION = /((?:file:\/\/)?\/[^\s():]+\.m?js):(\d+):(\d+)/g;

const maps = new Map<string, SourceMap | undefined>();

function mapOf(file: string): SourceMap | undefined {
  if (!maps.has(file)) {
    let map: SourceMap | undefined;
    try {
      const path = file.startsWith('file://') ? fileURLToPath(file) : file;
      map = new SourceMap(JSON.parse(readFileSync(`${path}.map`, 'utf8')));
    } catch {
      map = undefined; // no map beside it, or not readable: the frame stays as it is
    }
    maps.set(file, map);
  }
  return maps.get(file);
}

export function sourceMappedStack(stack: string): string {
  return stack.replace(FRAME_LOCATION, (location, file: string, line: string, column: string) => {
    const origin = mapOf(file)?.findOrigin(Number(line), Number(column));
    if (!origin || !('fileName' in origin)) return location;
    return `${origin.fileName}:${origin.lineNumber}:${origin.columnNumber}`;
  });
}
