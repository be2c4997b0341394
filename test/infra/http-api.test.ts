import { readFileSync } from 'node:fs';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { httpFunctions } from '../../functions/catalogue.ts';
import { buildApp } from '../../infra/build-app.ts';
import { catalogueFunctions } from '../../infra/synthesized.ts';
import { type Synthesized, synthesize } from './synth.ts';

interface RouteJson {
  RouteKey: string;
  AuthorizationType?: string;
  AuthorizerId?: unknown;
  AuthorizationScopes?: string[];
  Target: unknown;
}

/** The default stage's settings (what `cdk synth` without `-c stage=` deploys). */
const defaultStage = JSON.parse(
  readFileSync(new URL('../../infra/stages/default.json', import.meta.url), 'utf8'),
) as { jwtIssuer: string; jwtAudience: string; jwksUri: string };

let synth: Synthesized;
let routes: Map<string, RouteJson>;

beforeAll(() => {
  synth = synthesize({ cached: true });
  routes = new Map(
    Object.values(synth.service.findResources('AWS::ApiGatewayV2::Route')).map((route) => [
      route.Properties.RouteKey as string,
      route.Properties as RouteJson,
    ]),
  );
});

const protectedRoutes = httpFunctions.filter((fn) => fn.scopes.length > 0);

describe('the HTTP API', () => {
  it('has exactly one route per catalogue HTTP function', () => {
    expect([...routes.keys()].sort()).toEqual(httpFunctions.map((fn) => `${fn.method} ${fn.path}`).sort());
  });

  it('has no gateway authorizer: the functions verify the token (one problem+json answer everywhere)', () => {
    expect(synth.service.findResources('AWS::ApiGatewayV2::Authorizer')).toEqual({});
    for (const [routeKey, route] of routes) {
      expect(route.AuthorizationType ?? 'NONE', routeKey).toBe('NONE');
      expect(route.AuthorizerId, routeKey).toBeUndefined();
      expect(route.AuthorizationScopes, routeKey).toBeUndefined();
    }
  });

  it.each(
    protectedRoutes.map((fn) => ({ routeKey: `${fn.method} ${fn.path}`, id: fn.id })),
  )('$routeKey: its function has what it needs to verify Maskinporten tokens itself', ({ id }) => {
    expect(catalogueFunctions(synth.serviceJson)[id]?.environment).toMatchObject({
      JWT_ISSUER: defaultStage.jwtIssuer,
      JWT_AUDIENCE: defaultStage.jwtAudience,
      JWKS_URI: defaultStage.jwksUri,
      SCOPE_NAMES: JSON.stringify({ 'dpa:read': 'dpa:read', 'dpa:write': 'dpa:write' }),
    });
  });

  it('leaves GET /openapi.json, GET /.well-known/jwks.json and the calendar feed (its address is its credential), and only them, public in the catalogue', () => {
    const publicRoutes = httpFunctions
      .filter((fn) => fn.scopes.length === 0)
      .map((fn) => `${fn.method} ${fn.path}`)
      .sort();
    expect(publicRoutes).toEqual(['GET /.well-known/jwks.json', 'GET /calendar/{file}', 'GET /openapi.json']);
  });

  it.each(
    httpFunctions
      .filter((fn) => fn.scopes.length === 0)
      .map((fn) => ({ routeKey: `${fn.method} ${fn.path}`, fn })),
  )('says in the catalogue why $routeKey may be public', ({ fn }) => {
    expect(fn.publicBecause?.length ?? 0).toBeGreaterThan(40);
  });

  it.each(
    httpFunctions.map((fn) => ({ routeKey: `${fn.method} ${fn.path}`, id: fn.id })),
  )('$routeKey invokes $id with payload format 2.0', ({ routeKey, id }) => {
    const target = routes.get(routeKey)?.Target as { 'Fn::Join': [string, unknown[]] };
    const integrationId = (target['Fn::Join'][1].find((part) => typeof part === 'object') as { Ref: string })
      .Ref;
    const integration = synth.serviceJson.Resources?.[integrationId]?.Properties;
    expect(integration).toMatchObject({
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: { 'Fn::GetAtt': [catalogueFunctions(synth.serviceJson)[id]?.logicalId, 'Arn'] },
    });
  });

  it('logs every request to a log group that keeps the lines for a year, joined to the function log by its request id', () => {
    const [stage] = Object.values(synth.service.findResources('AWS::ApiGatewayV2::Stage'));
    const settings = stage?.Properties.AccessLogSettings as { Format: string; DestinationArn: unknown };
    expect(JSON.parse(settings.Format)).toMatchObject({
      requestId: '$context.requestId',
      lambdaRequestId: '$context.integration.requestId',
    });
    const logGroupId = (settings.DestinationArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    expect(synth.serviceJson.Resources?.[logGroupId]).toMatchObject({
      Type: 'AWS::Logs::LogGroup',
      Properties: { RetentionInDays: 365 },
    });
  });

  it('throttles the default stage', () => {
    synth.service.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() },
    });
  });
});

describe('the scope names of a deployment', () => {
  it('are what the functions require, as -c readScope/writeScope name them (Digdir names them under the provider’s prefix)', () => {
    const { app } = buildApp({
      context: {
        readScope: 'kommune:dpa.read',
        writeScope: 'kommune:dpa.write',
        'aws:cdk:bundling-stacks': [],
      },
      nag: false,
    });
    const template = app.synth().getStackByName('DpaService').template;
    for (const fn of httpFunctions) {
      expect(catalogueFunctions(template)[fn.id]?.environment?.SCOPE_NAMES, fn.id).toBe(
        JSON.stringify({ 'dpa:read': 'kommune:dpa.read', 'dpa:write': 'kommune:dpa.write' }),
      );
    }
  });

  it('default to dpa:read and dpa:write, told to the OpenAPI function with the token URL and audience', () => {
    expect(catalogueFunctions(synth.serviceJson).getOpenApi?.environment).toMatchObject({
      SCOPE_NAMES: JSON.stringify({ 'dpa:read': 'dpa:read', 'dpa:write': 'dpa:write' }),
      TOKEN_URL: `${defaultStage.jwtIssuer}token`,
      JWT_AUDIENCE: defaultStage.jwtAudience,
    });
  });

  it('refuse a name that is not a Maskinporten scope, and one name for both', () => {
    expect(() => buildApp({ context: { readScope: 'Read Agreements' }, nag: false })).toThrow(
      'The CDK context value "readScope" must be a Maskinporten scope name, <prefix>:<subscope> (got Read Agreements)',
    );
    expect(() =>
      buildApp({ context: { readScope: 'kommune:dpa', writeScope: 'kommune:dpa' }, nag: false }),
    ).toThrow('The CDK context values "readScope" and "writeScope" must differ');
  });
});
