import { describe, expect, it } from 'vitest';
import { BUNDLING_STACKS_CONTEXT, buildApp } from '../../infra/build-app.ts';
import { type CfnTemplate, catalogueFunctions } from '../../infra/synthesized.ts';

/** Issue 12: one app, deployed as several stages, each with its own settings and its own stacks. */
describe('stages (-c stage=test|prod)', () => {
  /** The issuer and audience of the service template's JWT authorizer. */
  const jwtConfigurationOf = (template: CfnTemplate) =>
    Object.values(template.Resources ?? {}).find(
      (resource) => resource.Type === 'AWS::ApiGatewayV2::Authorizer',
    )?.Properties?.JwtConfiguration;

  const build = (context: Record<string, unknown>) =>
    buildApp({ context: { ...context, [BUNDLING_STACKS_CONTEXT]: [] }, nag: false });

  it('gives each stage stacks of its own, so that two stages deploy into one account', () => {
    const names = ['default', 'test', 'prod'].map((stage) => {
      const { dataStack, serviceStack } = build({ stage });
      return [dataStack.stackName, serviceStack.stackName];
    });
    expect(names).toEqual([
      ['DpaData', 'DpaService'],
      ['DpaData-test', 'DpaService-test'],
      ['DpaData-prod', 'DpaService-prod'],
    ]);
  });

  it('deploys prod in eu-north-1 (data residency) with its issuer, audience and scopes, offline', () => {
    const { app, serviceStack } = build({ stage: 'prod' });
    expect(serviceStack.region).toBe('eu-north-1');
    const template = app.synth().getStackByName('DpaService-prod').template as CfnTemplate;
    expect(jwtConfigurationOf(template)).toEqual({
      Issuer: 'https://maskinporten.no/',
      Audience: ['https://dpa.example.kommune.no'],
    });
    const scopes = Object.values(template.Resources ?? {})
      .filter((resource) => resource.Type === 'AWS::ApiGatewayV2::Route')
      .flatMap((route) => (route.Properties?.AuthorizationScopes as string[] | undefined) ?? []);
    expect(new Set(scopes)).toEqual(new Set(['example:dpa.read', 'example:dpa.write']));
    expect(catalogueFunctions(template).getOpenApi?.environment).toMatchObject({
      TOKEN_URL: 'https://maskinporten.no/token',
      API_CONTACT_EMAIL: 'dpa@example.kommune.no',
    });
  });

  it('takes the test stage’s issuer, and lets a -c value override the stage’s', () => {
    const { app } = build({ stage: 'test', jwtAudience: 'https://dpa.test.radoy.kommune.no' });
    const template = app.synth().getStackByName('DpaService-test').template as CfnTemplate;
    expect(jwtConfigurationOf(template)).toEqual({
      Issuer: 'https://test.maskinporten.no/',
      Audience: ['https://dpa.test.radoy.kommune.no'],
    });
  });

  it('refuses a stage it has no settings for, naming the ones it has', () => {
    expect(() => build({ stage: 'staging' })).toThrow(
      'Unknown stage staging: -c stage= takes one of default, prod, test (infra/stages/)',
    );
  });
});
