import { mkdir, rm, writeFile } from 'node:fs/promises';
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
  'esbuildArgs',
]);

/**
 * CDK bundles into a temporary folder directly under `cdk.out/` before it moves the result into the
 * asset folder; an output path at the same depth gives the source map the same relative `sources`.
 */
const OUTPUT_DIR = fromRepoRoot('cdk.out/bundling-temp-bench');
/** Where `measureBundle` leaves each bundle (code and map), for the cold-start runs to load. */
export const bundleDir = (id: string): string => fromRepoRoot(`cdk.out/bundling-temp-bench-${id}`);

/**
 * CDK appends `esbuildArgs` to the command line as `toCliArgsArray` renders them
 * (aws-cdk-lib/aws-lambda-nodejs/lib/bundling.js): an array gives one `key:item` per item, `true` or
 * `''` the bare flag, `--alias` (and the other re-specifiable keys) `key:value`, anything else
 * `key=value`. This renders them the same way and translates what it knows into build options;
 * any other argument is an error, so the benchmark never measures a bundle CDK would not build.
 */
export function cliArgsOf(esbuildArgs: NonNullable<nodejs.BundlingOptions['esbuildArgs']>): string[] {
  const reSpecified = ['--alias', '--drop', '--pure', '--log-override', '--out-extension'];
  const args: string[] = [];
  for (const [key, value] of Object.entries(esbuildArgs)) {
    if (Array.isArray(value)) args.push(...value.map((item) => `${key}:${item}`));
    else if (value === true || value === '') args.push(key);
    else if (reSpecified.includes(key)) args.push(`${key}:${value}`);
    else if (value) args.push(`${key}=${value}`);
  }
  return args;
}

export function translateEsbuildArgs(
  esbuildArgs: NonNullable<nodejs.BundlingOptions['esbuildArgs']>,
): Pick<BuildOptions, 'alias'> {
  const alias: Record<string, string> = {};
  for (const arg of cliArgsOf(esbuildArgs)) {
    const aliased = /^--alias:([^=]+)=(.+)$/.exec(arg);
    if (!aliased) throw new Error(`The benchmark cannot bundle like CDK with the esbuild argument ${arg}`);
    alias[aliased[1]!] = aliased[2]!;
  }
  return Object.keys(alias).length > 0 ? { alias } : {};
}

export function esbuildOptionsFor(
  bundling: nodejs.BundlingOptions,
  entry: string,
  outputDir = OUTPUT_DIR,
): BuildOptions {
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
    outfile: `${outputDir}/index.${extension}`,
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
    ...(bundling.esbuildArgs ? translateEsbuildArgs(bundling.esbuildArgs) : {}),
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
  /** The bundle on disk (`index.mjs` with its map), as Lambda would load it. */
  codeFile: string;
  /** The AWS SDK clients bundled (`@aws-sdk/client-*` packages the project depends on directly). */
  awsClients: string[];
}

/**
 * Bundles `fn.entry` with the construct's options into `bundleDir(fn.id)` and measures the result.
 * `projectClients` are the `@aws-sdk/client-*` packages to look for among the bundle's inputs.
 */
export async function measureBundle(
  bundling: nodejs.BundlingOptions,
  fn: { id: string; entry: string },
  projectClients: readonly string[] = [],
): Promise<BundleSize> {
  const outputDir = bundleDir(fn.id);
  const result = await build({
    ...esbuildOptionsFor(bundling, fn.entry, outputDir),
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles.find((file) => /\.m?js$/.test(file.path));
  const map = result.outputFiles.find((file) => file.path.endsWith('.map'));
  if (!code) throw new Error(`esbuild produced no code for ${fn.id}`);
  await rm(outputDir, { recursive: true, force: true });
  await mkdir(outputDir, { recursive: true });
  for (const file of result.outputFiles) await writeFile(file.path, file.contents);
  const inputs = Object.keys(result.metafile.inputs);
  return {
    id: fn.id,
    entry: fn.entry,
    codeBytes: code.contents.byteLength,
    codeGzipBytes: gzipSync(code.contents, { level: 9 }).byteLength,
    mapBytes: map?.contents.byteLength ?? 0,
    mapGzipBytes: map ? gzipSync(map.contents, { level: 9 }).byteLength : 0,
    largestInputs: largestInputs(result.metafile, 5),
    codeFile: code.path,
    awsClients: projectClients.filter((client) =>
      inputs.some((input) => input.includes(`node_modules/${client}/`)),
    ),
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
