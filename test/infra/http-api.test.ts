import { readFileSync } from 'node:fs';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { httpFunctions } from '../../functions/catalogue.ts';
import { buildApp } from '../../infra/build-app.ts';
import { CatalogueHttpApi } from '../../infra/constructs/http-api.ts';
import { catalogueFunctions } from '../../infra/synthesized.ts';
import { type Synthesized, singleLogicalId, synthesize } from './synth.ts';

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
) as { jwtIssuer: string; jwtAudience: string };

let synth: Synthesized;
let routes: Map<string, RouteJson>;
let authorizerId: string;

beforeAll(() => {
  synth = synthesize();
  routes = new Map(
    Object.values(synth.service.findResources('AWS::ApiGatewayV2::Route')).map((route) => [
      route.Properties.RouteKey as string,
      route.Properties as RouteJson,
    ]),
  );
  authorizerId = singleLogicalId(synth.serviceJson, 'AWS::ApiGatewayV2::Authorizer');
});

const protectedRoutes = httpFunctions.filter((fn) => fn.scopes.length > 0);

describe('the HTTP API', () => {
  it('has exactly one route per catalogue HTTP function', () => {
    expect([...routes.keys()].sort()).toEqual(httpFunctions.map((fn) => `${fn.method} ${fn.path}`).sort());
  });

  it.each(
    protectedRoutes.map((fn) => ({ routeKey: `${fn.method} ${fn.path}`, scopes: fn.scopes })),
  )('$routeKey requires a Maskinporten token with one of $scopes', ({ routeKey, scopes }) => {
    const route = routes.get(routeKey);
    expect(route?.AuthorizationType).toBe('JWT');
    expect(route?.AuthorizerId).toEqual({ Ref: authorizerId });
    expect([...(route?.AuthorizationScopes ?? [])].sort()).toEqual([...scopes].sort());
  });

  it('leaves GET /openapi.json, GET /.well-known/jwks.json and the calendar feed (its address is its credential), and only them, public', () => {
    const publicRoutes = [...routes.entries()]
      .filter(([, route]) => (route.AuthorizationType ?? 'NONE') === 'NONE')
      .map(([routeKey]) => routeKey)
      .sort();
    expect(publicRoutes).toEqual(['GET /.well-known/jwks.json', 'GET /calendar/{file}', 'GET /openapi.json']);
    for (const routeKey of publicRoutes) {
      expect(routes.get(routeKey)?.AuthorizerId).toBeUndefined();
      expect(routes.get(routeKey)?.AuthorizationScopes).toBeUndefined();
    }
  });

  it.each(
    httpFunctions
      .filter((fn) => fn.scopes.length === 0)
      .map((fn) => ({ routeKey: `${fn.method} ${fn.path}`, fn })),
  )('says in the catalogue why $routeKey may be public', ({ fn }) => {
    expect(fn.publicBecause?.length ?? 0).toBeGreaterThan(40);
  });

  it('validates tokens against the issuer and audience of the deployment settings', () => {
    synth.service.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: defaultStage.jwtIssuer, Audience: [defaultStage.jwtAudience] },
    });
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

  it('logs every request to a log group that keeps the lines for a year', () => {
    const [stage] = Object.values(synth.service.findResources('AWS::ApiGatewayV2::Stage'));
    const settings = stage?.Properties.AccessLogSettings as { Format: string; DestinationArn: unknown };
    expect(settings.Format).toContain('$context.requestId');
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
  const scopeNames = { 'dpa:read': 'kommune:dpa.read', 'dpa:write': 'kommune:dpa.write' };

  it('are what the routes require (Digdir names them under the provider’s prefix)', () => {
    const stack = new Stack(new App(), 'ScopeNames');
    new CatalogueHttpApi(stack, 'HttpApi', {
      routes: httpFunctions.map((definition, index) => ({
        definition,
        handler: lambda.Function.fromFunctionArn(
          stack,
          `Fn${index}`,
          `arn:aws:lambda:eu-north-1:123456789012:function:fn${index}`,
        ),
      })),
      jwtIssuer: 'https://test.maskinporten.no/',
      jwtAudience: 'https://dpa.test.kommune.no',
      scopeNames,
    });
    const required = new Map(
      Object.values(Template.fromStack(stack).findResources('AWS::ApiGatewayV2::Route')).map((route) => [
        route.Properties.RouteKey as string,
        route.Properties.AuthorizationScopes as string[] | undefined,
      ]),
    );
    for (const fn of protectedRoutes) {
      expect(required.get(`${fn.method} ${fn.path}`), fn.id).toEqual(
        fn.scopes.map((scope) => scopeNames[scope]),
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
