import { readFileSync } from 'node:fs';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { httpFunctions } from '../../functions/catalogue.ts';
import { catalogueFunctions } from '../../infra/synthesized.ts';
import { type Synthesized, singleLogicalId, synthesize } from './synth.ts';

interface RouteJson {
  RouteKey: string;
  AuthorizationType?: string;
  AuthorizerId?: unknown;
  AuthorizationScopes?: string[];
  Target: unknown;
}

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  context: { jwtIssuer: string; jwtAudience: string };
};

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
      JwtConfiguration: { Issuer: cdkJson.context.jwtIssuer, Audience: [cdkJson.context.jwtAudience] },
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
