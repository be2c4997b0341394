import { DomainError } from '../domain/errors.ts';
import { logError } from './observability.ts';

/** Maps every named error to one HTTP status and an RFC 9457 problem document. */
const STATUS: Record<DomainError['kind'], { status: number; title: string }> = {
  validation: { status: 400, title: 'Invalid request' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  forbidden: { status: 403, title: 'Forbidden' },
  'not-found': { status: 404, title: 'Not found' },
  conflict: { status: 409, title: 'Conflict with the current state' },
  'precondition-failed': { status: 412, title: 'Precondition failed' },
  'too-large': { status: 413, title: 'Request body too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  unprocessable: { status: 422, title: 'Unprocessable request' },
  'precondition-required': { status: 428, title: 'Precondition required' },
};

/**
 * A refusal that is about the request's credentials rather than a domain rule (RFC 6750): its status,
 * and the headers that tell the client what to do (`WWW-Authenticate`, `Retry-After`).
 */
export class HttpProblem extends Error {
  constructor(
    readonly status: 401 | 403 | 503,
    readonly kind: string,
    readonly title: string,
    detail: string,
    readonly headers: Record<string, string>,
  ) {
    super(detail);
    this.name = 'HttpProblem';
  }
}

export interface ProblemResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export function problemResponse(error: unknown): ProblemResponse {
  if (error instanceof DomainError) {
    const { status, title } = STATUS[error.kind];
    return problem(status, error.kind, title, error.message, error.extra);
  }
  if (error instanceof HttpProblem) {
    const answer = problem(error.status, error.kind, error.title, error.message);
    return { ...answer, headers: { ...answer.headers, ...error.headers } };
  }
  logError('Unhandled error', error);
  return problem(
    500,
    'internal',
    'Internal error',
    'The request could not be completed. Read the resource to see its current state before you retry.',
  );
}

export function problem(
  status: number,
  kind: string,
  title: string,
  detail: string,
  extra: Record<string, unknown> = {},
): ProblemResponse {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/problem+json', 'cache-control': 'no-store' },
    body: JSON.stringify({ type: `urn:dpa:problem:${kind}`, title, status, detail, ...extra }),
  };
}
