import { gzipSync } from 'node:zlib';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { fromRepoRoot, repoRoot } from '../../infra/paths.ts';

/**
 * Translates the construct's `BundlingOptions` into esbuild's build options the way CDK's
 * `Bundling.buildEsbuildArgs` turns them into CLI flags (aws-cdk-lib/aws-lambda-nodejs/lib/bundling.js),
 * so the benchmark measures the bundles `cdk deploy` uploads. An option this translation does not
 * know is an error, not a silent difference: extend it when the construct starts using one.
 */
const WITHOUT_EFFECT_ON_OUTPUT = new Set([
  'logLevel',
  'metafile',
  'esbuildVersion',
  'assetHash',
  'bundlingFileAccess',
  'buildArgs',
  'forceDockerBundling',
]);
const TRANSLATED = new Set([
  'format',
  'target',
  'minify',
  'sourceMap',
  'sourceMapMode',
  'sourcesContent',
  'loader',
  'define',
  'keepNames',
  'tsconfig',
  'banner',
  'footer',
  'mainFields',
  'inject',
  'externalModules',
  'bundleAwsSDK',
]);

/**
 * CDK bundles into a temporary folder directly under `cdk.out/` before it moves the result into the
 * asset folder; an output path at the same depth gives the source map the same relative `sources`.
 */
const OUTPUT_DIR = fromRepoRoot('cdk.out/bundling-temp-bench');

export function esbuildOptionsFor(bundling: nodejs.BundlingOptions, entry: string): BuildOptions {
  const untranslated = Object.keys(bundling).filter(
    (key) => !TRANSLATED.has(key) && !WITHOUT_EFFECT_ON_OUTPUT.has(key),
  );
  if (untranslated.length > 0) {
    throw new Error(`The benchmark cannot bundle like CDK with: ${untranslated.join(', ')}`);
  }
  if (!bundling.target) throw new Error('Bundling options must name the esbuild target (e.g. node24)');
  if (!bundling.externalModules) {
    // CDK's default depends on the runtime and a feature flag; the construct states it explicitly.
    throw new Error('Bundling options must list externalModules (empty to bundle the AWS SDK)');
  }
  if (bundling.sourceMap === false && bundling.sourceMapMode) {
    throw new Error('sourceMapMode cannot be used when sourceMap is false');
  }
  const sourceMapMode = bundling.sourceMapMode ?? (bundling.sourceMap ? 'default' : undefined);
  const extension = bundling.format === 'esm' ? 'mjs' : 'js';
  return {
    absWorkingDir: repoRoot,
    entryPoints: [fromRepoRoot(entry)],
    bundle: true,
    target: bundling.target,
    platform: 'node',
    ...(bundling.format ? { format: bundling.format } : {}),
    outfile: `${OUTPUT_DIR}/index.${extension}`,
    minify: bundling.minify ?? false,
    ...(sourceMapMode ? { sourcemap: sourceMapMode === 'default' ? true : sourceMapMode } : {}),
    sourcesContent: bundling.sourcesContent ?? true,
    external: bundling.externalModules,
    ...(bundling.loader ? { loader: bundling.loader as BuildOptions['loader'] } : {}),
    ...(bundling.define ? { define: bundling.define } : {}),
    keepNames: bundling.keepNames ?? false,
    ...(bundling.tsconfig ? { tsconfig: bundling.tsconfig } : {}),
    ...(bundling.banner ? { banner: { js: bundling.banner } } : {}),
    ...(bundling.footer ? { footer: { js: bundling.footer } } : {}),
    ...(bundling.mainFields ? { mainFields: bundling.mainFields } : {}),
    ...(bundling.inject ? { inject: bundling.inject } : {}),
  };
}

export interface BundleSize {
  id: string;
  entry: string;
  /** The code file Lambda loads (`index.mjs`). */
  codeBytes: number;
  codeGzipBytes: number;
  /** The source map shipped next to it (0 when the options turn it off or inline it). */
  mapBytes: number;
  mapGzipBytes: number;
  /** Where the code bytes come from: npm packages (or `(project)`), largest first. */
  largestInputs: { source: string; bytes: number }[];
}

export async function measureBundle(
  bundling: nodejs.BundlingOptions,
  fn: { id: string; entry: string },
): Promise<BundleSize> {
  const result = await build({
    ...esbuildOptionsFor(bundling, fn.entry),
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles.find((file) => /\.m?js$/.test(file.path));
  const map = result.outputFiles.find((file) => file.path.endsWith('.map'));
  if (!code) throw new Error(`esbuild produced no code for ${fn.id}`);
  return {
    id: fn.id,
    entry: fn.entry,
    codeBytes: code.contents.byteLength,
    codeGzipBytes: gzipSync(code.contents, { level: 9 }).byteLength,
    mapBytes: map?.contents.byteLength ?? 0,
    mapGzipBytes: map ? gzipSync(map.contents, { level: 9 }).byteLength : 0,
    largestInputs: largestInputs(result.metafile, 5),
  };
}

function largestInputs(metafile: Metafile, count: number): { source: string; bytes: number }[] {
  const bySource = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const source = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? '(project)';
      bySource.set(source, (bySource.get(source) ?? 0) + bytesInOutput);
    }
  }
  return [...bySource.entries()]
    .map(([source, bytes]) => ({ source, bytes }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, count);
}
