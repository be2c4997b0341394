import { publicHttpHandler } from '../../shared/http.ts';
import { serviceSigner } from '../../shared/service-signer.ts';

/**
 * Rule 14: the public keys that verify seals and evidence manifests, current first; retired keys stay
 * listed so that everything they signed keeps verifying. Public, like /openapi.json.
 */
export const handler = publicHttpHandler(async () => ({
  status: 200,
  body: { keys: await (await serviceSigner()).publicKeys() },
  headers: { 'cache-control': 'public, max-age=300' },
}));
