#!/usr/bin/env node
// @ts-check
import { readFile } from 'node:fs/promises';
import { VerificationFailure, verifyPack } from './verify-pack.mjs';

/**
 * dpa-evidence: verifies an evidence pack of the data processing agreement service offline, with
 * nothing but Node (>= 20). The format is docs/evidence-format.md.
 */

const USAGE = `Usage: dpa-evidence verify <pack.zip> [--jwks <file-or-url>]

Verifies an evidence pack (GET /agreements/{id}/evidence) offline: the signed manifest, the hash of
every file, every content version against its content hash, every signature against its version,
every seal (its run's signature, its audit path to the run's root, chain, Merkle root) and every
history and audit entry against its seal.

  --jwks <file-or-url>  the service's public keys (a JWKS, e.g. saved from /.well-known/jwks.json)
                        to pin; without it the pack's own keys/jwks.json is used, with a warning
  -h, --help            this text

Prints OK and a summary (exit code 0), or the first file or entry that fails and why (exit code 1).
Usage errors exit with code 2. Format: docs/evidence-format.md`;

/** @param {string[]} args */
function parseArgs(args) {
  /** @type {{ command?: string, pack?: string, jwks?: string, help: boolean }} */
  const parsed = { help: false };
  for (let index = 0; index < args.length; index++) {
    const arg = /** @type {string} */ (args[index]);
    if (arg === '-h' || arg === '--help' || arg === 'help') parsed.help = true;
    else if (arg === '--jwks') {
      const value = args[++index];
      if (value === undefined) throw new Error('--jwks needs a file or URL');
      parsed.jwks = value;
    } else if (arg.startsWith('--jwks=')) parsed.jwks = arg.slice('--jwks='.length);
    else if (arg.startsWith('-')) throw new Error(`unknown option ${arg}`);
    else if (parsed.command === undefined) parsed.command = arg;
    else if (parsed.pack === undefined) parsed.pack = arg;
    else throw new Error(`unexpected argument ${arg}`);
  }
  return parsed;
}

/** @param {string} source a file path or an http(s) URL */
async function loadJwks(source) {
  let text;
  if (/^https?:\/\//i.test(source)) {
    const response = await fetch(source, { headers: { accept: 'application/json' } });
    if (!response.ok) throw new VerificationFailure(source, `cannot fetch the keys: HTTP ${response.status}`);
    text = await response.text();
  } else {
    text = await readFile(source, 'utf8').catch((/** @type {Error} */ error) => {
      throw new VerificationFailure(source, `cannot read the keys: ${error.message}`);
    });
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new VerificationFailure(source, 'the keys are not JSON');
  }
}

async function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`dpa-evidence: ${/** @type {Error} */ (error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args.command !== 'verify' || args.pack === undefined) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }

  try {
    const zip = await readFile(args.pack).catch((/** @type {Error} */ error) => {
      throw new VerificationFailure(
        /** @type {string} */ (args.pack),
        `cannot read the pack: ${error.message}`,
      );
    });
    const jwks = args.jwks === undefined ? undefined : await loadJwks(args.jwks);
    const { summary, warnings } = verifyPack(new Uint8Array(zip), {
      ...(jwks === undefined ? {} : { jwks, jwksSource: args.jwks }),
    });
    for (const warning of warnings) process.stderr.write(`WARNING: ${warning}\n`);
    const last = /** @type {import('./verify-pack.mjs').SealSummary} */ (summary.seals.at(-1));
    process.stdout.write(
      [
        'OK',
        `  agreement  ${summary.agreementId} (exported ${summary.exportedAt})`,
        `  versions   ${summary.versions}, with ${summary.signatures} signature(s)`,
        `  seals      ${summary.seals.length}; the last, seal ${last.seq} of ${last.sealedAt}, has root ${last.root}`,
        `  entries    ${summary.history} history, ${summary.audit} audit`,
        `  Vedlegg 3  ${summary.appendixVersions} version(s), each as its sealed history entry records it`,
        `  amendments ${summary.amendments}, each signed for the content it made`,
        `  keys       manifest signed by ${summary.manifestKid}, from ${summary.pinned ? `the pinned keys (${summary.keys})` : "the pack's own keys (NOT pinned)"}`,
        '',
      ].join('\n'),
    );
    return 0;
  } catch (error) {
    if (error instanceof VerificationFailure) {
      process.stderr.write(`FAIL ${error.where}: ${error.why}\n`);
      return 1;
    }
    process.stderr.write(`FAIL: ${/** @type {Error} */ (error)?.stack ?? String(error)}\n`);
    return 1;
  }
}

process.exitCode = await main();
