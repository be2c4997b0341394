import { describe, expect, it } from 'vitest';
import { httpFunctions } from '../../../functions/catalogue.ts';
import { handler } from '../../../functions/http/get-openapi.ts';
import { clientSettings } from '../../../functions/shared/deployment-settings.ts';
import { openApiDocument } from '../../../functions/shared/openapi.ts';
import { ddb, useAwsMocks } from './aws-mocks.ts';
import { httpEvent, invoke } from './events.ts';

useAwsMocks();

type Parameter = { name: string; in: string; required: boolean; schema?: Record<string, unknown> };
type Operation = {
  operationId: string;
  security: { maskinporten: string[] }[];
  parameters: (Parameter | { $ref: string })[];
  requestBody?: { content: Record<string, { schema: Record<string, unknown>; example?: unknown }> };
  responses: Record<string, unknown>;
};
type Document = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, Record<string, unknown>>;
    parameters: Record<string, Parameter>;
    headers: Record<string, unknown>;
  };
};

async function document() {
  const response = await invoke(handler, httpEvent('GET /openapi.json', '/openapi.json', { claims: null }));
  expect(response.statusCode).toBe(200);
  return response.body as Document;
}

/** A named schema in place of its `$ref` (`#/components/schemas/<name>`). */
function resolved(doc: Document, schema: Record<string, unknown> | undefined): Record<string, unknown> {
  const name = /^#\/components\/schemas\/(\w+)$/.exec(String(schema?.$ref))?.[1];
  return name ? doc.components.schemas[name]! : schema!;
}

/** An operation's parameters, each `$ref` (`#/components/parameters/<name>`) in place. */
const parametersOf = (doc: Document, operation: Operation): Parameter[] =>
  operation.parameters.map((parameter) =>
    '$ref' in parameter ? doc.components.parameters[parameter.$ref.split('/').at(-1)!]! : parameter,
  );

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3.1 document served without a token and without touching the table', async () => {
    const doc = await document();
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(ddb.calls()).toEqual([]);
  });

  it('documents every route of the catalogue under its method and id', async () => {
    const doc = await document();
    for (const fn of httpFunctions) {
      expect(doc.paths[fn.path]?.[fn.method.toLowerCase()]?.operationId, `${fn.method} ${fn.path}`).toBe(
        fn.id,
      );
    }
    const documented = Object.values(doc.paths).flatMap((methods) => Object.keys(methods));
    expect(documented).toHaveLength(httpFunctions.length);
  });

  it("asks for the catalogue's scopes on every protected route and none on public ones", async () => {
    const doc = await document();
    for (const fn of httpFunctions) {
      const operation = doc.paths[fn.path]![fn.method.toLowerCase()]!;
      expect(operation.security, fn.id).toEqual(fn.scopes.length ? [{ maskinporten: [...fn.scopes] }] : []);
    }
  });

  it('documents the path parameters and the If-Match header of PATCH', async () => {
    const doc = await document();
    const patch = doc.paths['/agreements/{id}']!.patch!;
    expect(parametersOf(doc, patch)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'id', in: 'path', required: true }),
        expect.objectContaining({ name: 'If-Match', in: 'header', required: true }),
      ]),
    );
  });

  it('describes the create request from the same strict schema: required fields, no unknown fields', async () => {
    const doc = await document();
    const schema = resolved(
      doc,
      doc.paths['/agreements']!.post!.requestBody!.content['application/json']!.schema,
    );
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(
      expect.arrayContaining(['title', 'controller', 'processor', 'scope', 'securityMeasures', 'contacts']),
    );
    expect(schema.required).not.toContain('noticePeriodMonths');
  });

  it('documents problem responses (400, 401, 404, 409, 412, 428) on protected routes', async () => {
    const doc = await document();
    const responses = doc.paths['/agreements/{id}']!.patch!.responses;
    for (const status of ['200', '400', '401', '404', '409', '412', '428']) {
      expect(responses, status).toHaveProperty(status);
    }
  });

  it('documents the agreement document as application/pdf with its optional version parameter', async () => {
    const doc = await document();
    const operation = doc.paths['/agreements/{id}/document']!.get!;
    expect(parametersOf(doc, operation)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'id', in: 'path', required: true }),
        expect.objectContaining({
          name: 'version',
          in: 'query',
          required: false,
          schema: expect.objectContaining({ type: 'integer', minimum: 1 }),
        }),
      ]),
    );
    const ok = operation.responses['200'] as {
      content: Record<string, unknown>;
      headers: Record<string, unknown>;
    };
    expect(Object.keys(ok.content)).toEqual(['application/pdf']);
    expect(ok.headers).toHaveProperty('ETag');
    expect(ok.headers).toHaveProperty('Content-Disposition');
    expect(operation.responses).toHaveProperty('404');
  });

  it('documents the webhook routes with their schemas and statuses; no If-Match on their PATCH', async () => {
    const doc = await document();
    const create = doc.paths['/webhooks']!.post!;
    const patch = doc.paths['/webhooks/{id}']!.patch!;
    const success = (operation: Operation, status: string) =>
      resolved(
        doc,
        (operation.responses[status] as { content?: Record<string, { schema: Record<string, unknown> }> })
          .content?.['application/json']?.schema,
      );

    expect(resolved(doc, create.requestBody!.content['application/json']!.schema)).toMatchObject({
      additionalProperties: false,
      required: ['url', 'events'],
    });
    expect(success(create, '201')).toMatchObject({ required: expect.arrayContaining(['id', 'secret']) });
    expect(success(doc.paths['/webhooks']!.get!, '200')).toMatchObject({ required: ['items'] });
    expect(success(doc.paths['/webhooks/{id}']!.get!, '200')).toMatchObject({
      additionalProperties: false,
      properties: expect.not.objectContaining({ secret: expect.anything() }),
    });
    expect(resolved(doc, patch.requestBody!.content['application/json']!.schema)).toMatchObject({
      additionalProperties: false,
    });
    expect(parametersOf(doc, patch).map((parameter) => parameter.name)).toEqual(['id', 'X-Correlation-Id']);
    expect(doc.paths['/webhooks/{id}']!.delete!.responses).toHaveProperty('204');
    expect(success(doc.paths['/webhooks/{id}/rotate-secret']!.post!, '200')).toMatchObject({
      required: ['secret', 'previousSecretExpiresAt'],
    });
  });

  it('documents the optional Idempotency-Key header and its 422 on every POST, and on nothing else', async () => {
    const doc = await document();
    for (const fn of httpFunctions) {
      const operation = doc.paths[fn.path]![fn.method.toLowerCase()]!;
      const header = parametersOf(doc, operation).find((parameter) => parameter.name === 'Idempotency-Key');
      if (fn.method === 'POST') {
        expect(header, fn.id).toMatchObject({ in: 'header', required: false });
        expect(operation.responses, fn.id).toHaveProperty('422');
      } else {
        expect(header, fn.id).toBeUndefined();
      }
    }
  });
});

describe('refused credentials in the document', () => {
  it('name the WWW-Authenticate challenge on every 401 and 403 of a protected route, and 503 with Retry-After', async () => {
    const doc = await document();
    for (const fn of httpFunctions.filter((candidate) => candidate.scopes.length > 0)) {
      const responses = doc.paths[fn.path]![fn.method.toLowerCase()]!.responses as Record<
        string,
        { headers: Record<string, { $ref: string }> }
      >;
      expect(responses['401']!.headers['WWW-Authenticate'], fn.id).toEqual({
        $ref: '#/components/headers/WwwAuthenticate401',
      });
      expect(responses['403']!.headers['WWW-Authenticate'], fn.id).toEqual({
        $ref: '#/components/headers/WwwAuthenticate403',
      });
      expect(responses['503']!.headers['Retry-After'], fn.id).toBeDefined();
    }
    expect(Object.keys(doc.components.headers)).toEqual(
      expect.arrayContaining(['WwwAuthenticate401', 'WwwAuthenticate403']),
    );
  });
});

describe('the OpenAPI document of a deployment', () => {
  const settings = {
    scopeNames: { 'dpa:read': 'kommune:dpa.read', 'dpa:write': 'kommune:dpa.write' },
    tokenUrl: 'https://test.maskinporten.no/token',
    audience: 'https://dpa.test.kommune.no',
    contact: { name: 'The operator of this deployment', email: 'dpa@test.kommune.no' },
  };

  it('names the scopes, the token endpoint and the audience the deployment was given', () => {
    const doc = openApiDocument(settings) as unknown as {
      paths: Record<string, Record<string, Operation>>;
      components: { securitySchemes: { maskinporten: OAuthScheme } };
    };
    for (const fn of httpFunctions) {
      const expected = fn.scopes.map((scope) => settings.scopeNames[scope]);
      expect(doc.paths[fn.path]![fn.method.toLowerCase()]!.security, fn.id).toEqual(
        fn.scopes.length ? [{ maskinporten: expected }] : [],
      );
    }
    const scheme = doc.components.securitySchemes.maskinporten;
    expect(scheme.flows.clientCredentials).toEqual({
      tokenUrl: 'https://test.maskinporten.no/token',
      scopes: { 'kommune:dpa.read': 'Read agreements', 'kommune:dpa.write': 'Create and change agreements' },
    });
    expect(scheme.description).toContain('resource=https://dpa.test.kommune.no');
    expect(JSON.stringify(doc)).not.toContain('"dpa:read"');
  });

  it('reads the settings from the environment CDK sets on the function', () => {
    expect(
      clientSettings({
        SCOPE_NAMES: JSON.stringify(settings.scopeNames),
        TOKEN_URL: settings.tokenUrl,
        JWT_AUDIENCE: settings.audience,
        API_CONTACT_EMAIL: settings.contact.email,
      }),
    ).toEqual(settings);
    expect(clientSettings({})).toEqual({
      scopeNames: { 'dpa:read': 'dpa:read', 'dpa:write': 'dpa:write' },
      tokenUrl: 'https://maskinporten.no/token',
      contact: { name: 'The operator of this deployment' },
    });
  });
});

interface OAuthScheme {
  description: string;
  flows: { clientCredentials: { tokenUrl: string; scopes: Record<string, string> } };
}

describe('the problem schema', () => {
  it('stays open for extension members (RFC 9457: clients ignore the ones they do not know)', () => {
    const doc = openApiDocument() as unknown as Document;
    const responses = Object.values(doc.paths).flatMap((methods) =>
      Object.values(methods).flatMap((operation) => Object.values(operation.responses)),
    ) as { content?: Record<string, { schema: Record<string, unknown> }> }[];
    const problems = responses.flatMap((response): Record<string, unknown>[] => {
      const schema = response.content?.['application/problem+json']?.schema;
      return schema ? [schema] : [];
    });

    expect(problems.length).toBeGreaterThan(0);
    expect(new Set(problems.map((schema) => schema.$ref))).toEqual(new Set(['#/components/schemas/Problem']));
    expect(doc.components.schemas.Problem!.additionalProperties).not.toBe(false);
    expect(doc.components.schemas.Problem!.required).toEqual(['type', 'title', 'status', 'detail']);
  });
});

describe('servers and tags', () => {
  const base = {
    scopeNames: { 'dpa:read': 'dpa:read', 'dpa:write': 'dpa:write' },
    tokenUrl: 'https://maskinporten.no/token',
    contact: { name: 'The operator of this deployment' },
  };
  type Doc = {
    servers: { url: string }[];
    tags: { name: string; description: string }[];
    paths: Record<string, Record<string, Operation & { tags: string[] }>>;
  };

  it('names the API’s address where the deployment knows it, else the document’s own', () => {
    expect(
      (openApiDocument({ ...base, apiBaseUrl: 'http://127.0.0.1:3000' }) as unknown as Doc).servers,
    ).toEqual([{ url: 'http://127.0.0.1:3000' }]);
    expect((openApiDocument(base) as unknown as Doc).servers).toEqual([{ url: '/' }]);
  });

  it('puts every operation under one declared tag, by what it is about', () => {
    const doc = openApiDocument(base) as unknown as Doc;
    const declared = new Set(doc.tags.map(({ name }) => name));
    const tagOf = new Map<string, string[]>();
    for (const methods of Object.values(doc.paths)) {
      for (const operation of Object.values(methods)) tagOf.set(operation.operationId, operation.tags);
    }
    for (const [id, tags] of tagOf) {
      expect(tags, id).toHaveLength(1);
      expect(declared.has(tags[0]!), id).toBe(true);
    }
    const tagsById = Object.fromEntries(
      httpFunctions
        .filter(
          (fn) =>
            ['createAgreement', 'getEvidence', 'getOpenApi'].includes(fn.id) || fn.path.endsWith('/decision'),
        )
        .map((fn) => [fn.path, tagOf.get(fn.id)![0]]),
    );
    expect(tagsById).toEqual({
      '/agreements': 'Agreements',
      '/agreements/{id}/breaches/{breachId}/decision': 'Breaches',
      '/agreements/{id}/evidence': 'Records',
      '/agreements/{id}/sub-processors/{subId}/decision': 'Sub-processors',
      '/openapi.json': 'Service',
    });
  });
});
