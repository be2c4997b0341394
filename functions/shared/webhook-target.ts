import { promises as dns } from 'node:dns';
import {
  addressOfHost,
  isAllowedLoopbackHost,
  isLoopbackAddress,
  isPublicAddress,
  type UrlPolicyOptions,
} from '../domain/webhooks/url-policy.ts';

/**
 * Rule 15: the one address a webhook request may go to. The host is resolved once and every address it
 * has must be public (or, where the local stack allows it, loopback for the loopback hosts); the caller
 * then connects to the address returned, not to the name, so a second DNS answer (DNS rebinding)
 * cannot turn the request inwards. Checked when a webhook is registered and before every delivery.
 */

/** The host resolves, but to an address the service must not send to. No retry mends it. */
export class UnsafeWebhookTarget extends Error {
  override name = 'UnsafeWebhookTarget';
}

/** The host did not resolve (no such name, or DNS failed); it may later. */
export class UnresolvedWebhookHost extends Error {
  override name = 'UnresolvedWebhookHost';
}

export interface WebhookTarget {
  address: string;
  family: 4 | 6;
}

const familyOf = (address: string): 4 | 6 => (address.includes(':') ? 6 : 4);

async function addressesOf(url: URL): Promise<WebhookTarget[]> {
  const literal = addressOfHost(url.hostname);
  if (literal !== undefined) return [{ address: literal, family: familyOf(literal) }];
  let found: { address: string; family: number }[];
  try {
    found = await dns.lookup(url.hostname, { all: true, verbatim: true });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new UnresolvedWebhookHost(
      `${url.hostname} does not resolve${typeof code === 'string' ? ` (${code})` : ''}`,
      { cause: error },
    );
  }
  if (found.length === 0) throw new UnresolvedWebhookHost(`${url.hostname} has no address`);
  return found.map(({ address }) => ({ address, family: familyOf(address) }));
}

/**
 * The address to connect to for `url`: the first the host resolves to (an address written in the URL
 * as it is), after every one was found acceptable. Throws `UnsafeWebhookTarget` when any is not,
 * `UnresolvedWebhookHost` when there is none.
 */
export async function resolveWebhookTarget(url: URL, options: UrlPolicyOptions): Promise<WebhookTarget> {
  const addresses = await addressesOf(url);
  const loopbackAllowed = isAllowedLoopbackHost(url, options);
  const refused = addresses.find(
    ({ address }) => !isPublicAddress(address) && !(loopbackAllowed && isLoopbackAddress(address)),
  );
  if (refused) {
    const host = url.hostname;
    const where =
      addressOfHost(host) === refused.address ? host : `${host} resolves to ${refused.address}, which`;
    throw new UnsafeWebhookTarget(
      `${where} is not a public internet address (loopback, private, link-local, carrier-grade NAT, multicast, reserved or unique-local addresses are refused)`,
    );
  }
  return addresses[0]!;
}
