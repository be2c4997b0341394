import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ApiResponse } from './api-client.ts';

/**
 * Holds real answers to the OpenAPI document: for each, the status must be one the operation lists,
 * the media type one it lists for that status, a JSON body valid against the schema it names, and the
 * headers those it documents (each documented header sent, and no ETag, Location or Content-Disposition
 * sent that it does not document). `Idempotent-Replayed` is documented on every POST's success and
 * sent only on a replay, so only its presence is checked against the document.
 */

interface Operation {
  responses: Record<string, DocumentedResponse>;
}

interface DocumentedResponse {
  headers?: Record<string, unknown>;
  content?: Record<string, { schema: { $ref?: string } }>;
}

export interface Answer {
  route: string;
  method: string;
  /** The catalogue's path template, as the document's `paths` key. */
  path: string;
  variant: string;
  response: ApiResponse<unknown>;
}

/** Headers whose absence from the document, when sent, would leave a client unaware of them. */
const WATCHED_HEADERS = [
  'etag',
  'location',
  'content-disposition',
  'idempotent-replayed',
  'x-correlation-id',
];
/** The document's components under an address of their own, for its `#/components/...` references. */
const DOCUMENT_ID = 'https://openapi.invalid/openapi.json';
/** Documented on a success, sent only sometimes. */
const SOMETIMES_SENT = new Set(['idempotent-replayed']);

export function conformanceProblems(
  document: { paths: Record<string, Record<string, Operation>>; components: { schemas: object } },
  answers: readonly Answer[],
): string[] {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema({ $id: DOCUMENT_ID, components: document.components });
  const problems: string[] = [];
  for (const { route, method, path, variant, response } of answers) {
    const name = `${route} (${variant}) ${response.status}`;
    const operation = document.paths[path]?.[method.toLowerCase()];
    const documented = operation?.responses[String(response.status)];
    if (!documented) {
      problems.push(`${name}: status not documented`);
      continue;
    }
    const documentedHeaders = new Set(Object.keys(documented.headers ?? {}).map((h) => h.toLowerCase()));
    for (const header of WATCHED_HEADERS) {
      const sent = response.headers.has(header);
      if (sent && !documentedHeaders.has(header)) problems.push(`${name}: header ${header} not documented`);
      if (!sent && documentedHeaders.has(header) && !SOMETIMES_SENT.has(header)) {
        problems.push(`${name}: documented header ${header} not sent`);
      }
    }
    const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
    if (response.status === 204 || mediaType === '') {
      if (documented.content) problems.push(`${name}: no body, but the document describes one`);
      continue;
    }
    const content = documented.content?.[mediaType];
    if (!content) {
      problems.push(`${name}: media type ${mediaType} not documented`);
      continue;
    }
    if (!content.schema.$ref) continue;
    const validate = ajv.compile({ $ref: `${DOCUMENT_ID}${content.schema.$ref}` });
    if (!validate(response.body)) {
      problems.push(
        `${name}: body not valid against ${content.schema.$ref}: ${ajv.errorsText(validate.errors)}`,
      );
    }
  }
  return problems;
}
