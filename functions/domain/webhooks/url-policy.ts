import ipaddr from 'ipaddr.js';
import { lazily } from '../lazily.ts';
import { WEBHOOK_URL_MAX_LENGTH } from './schemas.ts';

/**
 * Rule 15, where a webhook may point (against server-side request forgery): the service POSTs to the
 * address a caller registered, from inside AWS, so the address must not reach anything but the public
 * internet. Only `https` URLs on hosts whose every address is public: no loopback, private (RFC 1918),
 * link-local (169.254.169.254 is the instance metadata service), carrier-grade NAT, multicast,
 * reserved or unique-local addresses, nor their IPv6 forms (an IPv4-mapped `::ffff:10.0.0.1` is taken
 * as the IPv4 address it maps). No credentials in the URL, no fragment, at most 2048 characters.
 *
 * The local stack also allows `http` and `https` to `localhost`, `127.0.0.1` and `[::1]`, so that tests
 * receive deliveries on their own machine (`allowLoopback`, from the deployment's configuration).
 *
 * Pure: the syntax and any address written in the URL are judged here; what a host name resolves to is
 * checked by `resolveWebhookTarget` (shared/webhook-target.ts), at registration and at every delivery.
 */

/** The hosts `allowLoopback` opens, as `URL.hostname` writes them. */
export const LOOPBACK_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

export interface UrlPolicyOptions {
  /** The local stack's exception: http(s) to the loopback hosts above. */
  allowLoopback: boolean;
}

/** Every IPv6 address assigned for use on the internet is in 2000::/3 (RFC 4291, IANA). */
const globalUnicastV6 = lazily(() => ipaddr.IPv6.parseCIDR('2000::/3'));

/** An IP address as DNS answers it or a URL writes it (IPv6 without brackets); undefined otherwise. */
function parseAddress(address: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(address)) return ipaddr.IPv4.parse(address);
  if (address.includes(':') && ipaddr.IPv6.isValid(address)) {
    const v6 = ipaddr.IPv6.parse(address);
    return v6.isIPv4MappedAddress() ? v6.toIPv4Address() : v6;
  }
  return undefined;
}

/**
 * Whether the address is on the public internet: ipaddr.js's `unicast` (in none of the special-purpose
 * ranges it knows), and for IPv6 also in the global unicast space. Anything that is not an IP address
 * is not public.
 */
export function isPublicAddress(address: string): boolean {
  const parsed = parseAddress(address);
  if (parsed?.range() !== 'unicast') return false;
  return parsed.kind() === 'ipv4' || (parsed as ipaddr.IPv6).match(globalUnicastV6());
}

/** 127.0.0.0/8 and ::1, also written as an IPv4-mapped IPv6 address. */
export function isLoopbackAddress(address: string): boolean {
  return parseAddress(address)?.range() === 'loopback';
}

/** The host of a URL as an address (`[::1]` without its brackets), or undefined for a name. */
export function addressOfHost(hostname: string): string | undefined {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return parseAddress(bare) ? bare : undefined;
}

/** Whether `allowLoopback` opens this URL's host. */
export const isAllowedLoopbackHost = (url: URL, options: UrlPolicyOptions): boolean =>
  options.allowLoopback && LOOPBACK_HOSTS.includes(url.hostname);

const NOT_PUBLIC =
  'must point to a public internet address (not loopback, private, link-local, carrier-grade NAT, multicast, reserved or unique-local)';

/**
 * What is wrong with `url` as a webhook's address, as the message of a 400 about the field `url`; or
 * undefined when its syntax and any address written in it are acceptable.
 */
export function webhookUrlProblem(url: string, options: UrlPolicyOptions): string | undefined {
  if (url.length > WEBHOOK_URL_MAX_LENGTH) return `must be at most ${WEBHOOK_URL_MAX_LENGTH} characters`;
  // The URL parser would drop tabs and line breaks and trim spaces, so that the address kept differed
  // from the address read; invisible formatting characters (bidirectional overrides, zero widths) and
  // unpaired surrogates make what a reader sees differ from what is called.
  if (!url.isWellFormed() || /[\s\p{Cc}\p{Cf}]/u.test(url)) {
    return 'must not contain spaces, control characters or invisible formatting characters';
  }
  if (url.includes('#')) return 'must not have a fragment (#...)';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an absolute URL, such as https://example.no/webhooks';
  }
  const loopbackAllowed = isAllowedLoopbackHost(parsed, options);
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && loopbackAllowed)) {
    return options.allowLoopback
      ? 'must be an https URL (http only to localhost, 127.0.0.1 or [::1])'
      : 'must be an https URL';
  }
  if (parsed.username || parsed.password) return 'must not contain credentials (user:password@)';
  if (loopbackAllowed) return undefined;
  const address = addressOfHost(parsed.hostname);
  if (address !== undefined) return isPublicAddress(address) ? undefined : NOT_PUBLIC;
  if (parsed.hostname === 'localhost' || parsed.hostname.endsWith('.localhost')) return NOT_PUBLIC;
  return undefined;
}
