import { createHash } from 'node:crypto';
import { DomainError, validationError } from '../domain/errors.ts';
import { now } from '../shared/clock.ts';
import type { HttpRequest, HttpResult } from '../shared/http.ts';
import {
  claimKey,
  completeKey,
  IdempotencyKeyHeld,
  type IdempotencyRecord,
  type IdempotencyScope,
  inIdempotencyScope,
  releaseKey,
} from '../store/idempotency-store.ts';

/**
 * `Idempotency-Key` on a POST (IETF httpapi idempotency-key draft, as in Stripe's API): the same key
 * from the same organisation within 24 hours gets the first response (status, body, headers) again
 * without the work being done twice; the same key for a different request is 422; a key whose first
 * request is still running is 409. Without the header a POST behaves as it always did.
 *
 * Written here rather than with Powertools' idempotency utility: the key belongs to the acting
 * organisation as the handlers resolve it (Maskinporten delegation, Altinn system users), not to a
 * JMESPath over raw claims; the window runs on the stack's clock, so the local stack's virtual clock
 * moves it too; and the record lives in the one table under the table's own key layout and TTL.
 */

export const IDEMPOTENCY_WINDOW_SECONDS = 24 * 60 * 60;
/** A request that has not finished after this long is taken as dead, and its key may be claimed again. */
export const IDEMPOTENCY_LOCK_SECONDS = 60;
export const REPLAYED_HEADER = 'idempotent-replayed';

/** Visible ASCII, as a client's UUID or random token would be; at most 255 characters. */
const KEY_PATTERN = /^[\x21-\x7E]{1,255}$/;

export function idempotent<Body, Query>(
  handle: (request: HttpRequest<Body, Query>) => Promise<HttpResult>,
): (request: HttpRequest<Body, Query>) => Promise<HttpResult> {
  return async (request) => {
    const key = request.headers['idempotency-key'];
    if (key === undefined) return handle(request);
    if (!KEY_PATTERN.test(key)) {
      throw validationError('Invalid Idempotency-Key header', [
        { field: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' },
      ]);
    }
    const owner = { orgNumber: request.caller.orgNumber, key, fingerprint: fingerprintOf(request) };
    const scope: IdempotencyScope = {
      ...owner,
      now: now(),
      windowSeconds: IDEMPOTENCY_WINDOW_SECONDS,
      lockSeconds: IDEMPOTENCY_LOCK_SECONDS,
      claimed: false,
    };
    let result: HttpResult;
    try {
      // The key's record is read with the agreement and claimed in the change's own transaction
      // (idempotency-store.ts): no round trip of its own before the work.
      result = await inIdempotencyScope(scope, () => handle(request));
    } catch (error) {
      if (error instanceof IdempotencyKeyHeld) return answerFromRecord(error.existing, owner.fingerprint);
      // A refused request changed nothing: free the key (if it was claimed) so that a corrected retry is done.
      if (scope.claimed) await releaseKey(owner);
      throw error;
    }
    if (!scope.claimed) {
      // Work that wrote nothing carried no claim: claim the key now, so that a retry is answered alike.
      const claim = await claimKey(scope);
      if (!claim.claimed) return answerFromRecord(claim.existing, owner.fingerprint);
    }
    await completeKey({
      ...owner,
      response: {
        status: result.status,
        ...(result.body === undefined ? {} : { body: JSON.stringify(result.body) }),
        ...(result.headers ? { headers: result.headers } : {}),
      },
    });
    return result;
  };
}

function answerFromRecord(record: IdempotencyRecord, fingerprint: string): HttpResult {
  if (record.fingerprint !== fingerprint) {
    throw new DomainError(
      'unprocessable',
      'This Idempotency-Key was used for a different request (another route, resource or body)',
      { errors: [{ field: 'Idempotency-Key', message: 'was already used for a different request' }] },
    );
  }
  if (record.status !== 'COMPLETED' || !record.response) {
    throw new DomainError(
      'conflict',
      'A request with this Idempotency-Key is still being processed; retry after it has finished',
    );
  }
  const { status, body, headers } = record.response;
  return {
    status,
    ...(body === undefined ? {} : { body: JSON.parse(body) as unknown }),
    headers: { ...headers, [REPLAYED_HEADER]: 'true' },
  };
}

/** The request as validated: route, path parameters, query and body (after normalisation). */
function fingerprintOf(request: HttpRequest<unknown, unknown>): string {
  const canonical = JSON.stringify([
    request.route,
    sortedEntries(request.params),
    request.query ?? null,
    request.body ?? null,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

const sortedEntries = (record: Record<string, string>) =>
  Object.entries(record).sort(([a], [b]) => a.localeCompare(b));
