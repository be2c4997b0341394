/**
 * What a deployment names for its clients: the scopes Digdir assigned it (under the API provider's
 * prefix, e.g. `kommune:dpa.read`), where tokens come from and the audience they must name. CDK sets
 * them from the stage's settings; the local stack keeps the defaults (`dpa:read`, `dpa:write`).
 */

/** The catalogue's scopes, as routes require them: reading, and creating or changing. */
export type Scope = 'dpa:read' | 'dpa:write';

export type ScopeNames = Readonly<Record<Scope, string>>;

export const DEFAULT_SCOPE_NAMES: ScopeNames = { 'dpa:read': 'dpa:read', 'dpa:write': 'dpa:write' };

/** Maskinporten's scope syntax: `<prefix>:<subscope>`, lower-case letters, digits and `._/-`. */
export const SCOPE_NAME = /^[a-z0-9]+:[a-z0-9._/-]+$/;

export interface ClientSettings {
  scopeNames: ScopeNames;
  /** Where clients get tokens (Maskinporten's token endpoint; `/local/tokens` locally). */
  tokenUrl: string;
  /** The audience tokens must carry: clients ask for it with `resource` in their JWT grant. */
  audience?: string;
  /** The API's base URL, where the deployment knows it. */
  apiBaseUrl?: string;
  /** Whom integrators ask about this deployment (the OpenAPI document's `info.contact`). */
  contact: { name: string; email?: string };
}

/**
 * The settings from the environment (`SCOPE_NAMES` as JSON, `TOKEN_URL`, `JWT_AUDIENCE`, `API_BASE_URL`,
 * `API_CONTACT_EMAIL`).
 */
export function clientSettings(env: NodeJS.ProcessEnv = process.env): ClientSettings {
  const names = env.SCOPE_NAMES ? (JSON.parse(env.SCOPE_NAMES) as Partial<ScopeNames>) : {};
  return {
    scopeNames: { ...DEFAULT_SCOPE_NAMES, ...names },
    tokenUrl: env.TOKEN_URL || 'https://maskinporten.no/token',
    ...(env.JWT_AUDIENCE ? { audience: env.JWT_AUDIENCE } : {}),
    ...(env.API_BASE_URL ? { apiBaseUrl: env.API_BASE_URL } : {}),
    contact: {
      name: 'The operator of this deployment',
      ...(env.API_CONTACT_EMAIL ? { email: env.API_CONTACT_EMAIL } : {}),
    },
  };
}
