import { generateKeyPairSync } from 'node:crypto';
import { mkdir, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The local stack's service signing key (rule 14), in `<dataDir>/seal-keys/`: a P-256 private JWK made
 * on the first start and kept, so seals made before a restart keep verifying. To rotate, add a file
 * that sorts after the others (e.g. `0002.jwk.json`): it signs from the next start, and every older key
 * stays listed at /.well-known/jwks.json.
 */
export async function ensureSealKeys(dataDir: string): Promise<string> {
  const directory = join(dataDir, 'seal-keys');
  await mkdir(directory, { recursive: true });
  if ((await readdir(directory)).some((name) => name.endsWith('.jwk.json'))) return directory;
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const file = join(directory, '0001.jwk.json');
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify(privateKey.export({ format: 'jwk' })), { mode: 0o600 });
  await rename(temp, file);
  return directory;
}
