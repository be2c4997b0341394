import { describe, expect, it } from 'vitest';
import { BUNDLING_STACKS_CONTEXT, buildApp } from '../../infra/build-app.ts';
import { type CfnTemplate, catalogueFunctions } from '../../infra/synthesized.ts';

/** Issue 12: one app, deployed as several stages, each with its own settings and its own stacks. */
describe('stages (-c stage=test|prod)', () => {
  /** What the HTTP functions verify tokens against (every one alike; listAgreements stands for them). */
  const tokenSettingsOf = (template: CfnTemplate) => {
    const environment = catalogueFunctions(template).listAgreements?.environment ?? {};
    return {
      issuer: environment.JWT_ISSUER,
      audience: environment.JWT_AUDIENCE,
      jwksUri: environment.JWKS_URI,
      scopeNames: JSON.parse(String(environment.SCOPE_NAMES)),
    };
  };

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

  it('deploys prod in eu-north-1 (data residency) with its issuer, audience, key set and scopes, offline', () => {
    const { app, serviceStack } = build({ stage: 'prod' });
    expect(serviceStack.region).toBe('eu-north-1');
    const template = app.synth().getStackByName('DpaService-prod').template as CfnTemplate;
    expect(tokenSettingsOf(template)).toEqual({
      issuer: 'https://maskinporten.no/',
      audience: 'https://dpa.example.kommune.no',
      jwksUri: 'https://maskinporten.no/jwk',
      scopeNames: { 'dpa:read': 'example:dpa.read', 'dpa:write': 'example:dpa.write' },
    });
    expect(catalogueFunctions(template).getOpenApi?.environment).toMatchObject({
      TOKEN_URL: 'https://maskinporten.no/token',
      API_CONTACT_EMAIL: 'dpa@example.kommune.no',
    });
  });

  it('takes the test stage’s issuer and key set (test.maskinporten.no), and lets a -c value override the stage’s', () => {
    const { app } = build({ stage: 'test', jwtAudience: 'https://dpa.test.radoy.kommune.no' });
    const template = app.synth().getStackByName('DpaService-test').template as CfnTemplate;
    expect(tokenSettingsOf(template)).toMatchObject({
      issuer: 'https://test.maskinporten.no/',
      audience: 'https://dpa.test.radoy.kommune.no',
      jwksUri: 'https://test.maskinporten.no/jwk',
    });
  });

  it('takes the key set of the default stage (maskinporten.no), overridden by -c jwksUri=', () => {
    const defaults = build({}).app.synth().getStackByName('DpaService').template as CfnTemplate;
    const overridden = build({ jwksUri: 'https://keys.example.no/jwk' })
      .app.synth()
      .getStackByName('DpaService').template as CfnTemplate;

    expect(tokenSettingsOf(defaults).jwksUri).toBe('https://maskinporten.no/jwk');
    expect(tokenSettingsOf(overridden).jwksUri).toBe('https://keys.example.no/jwk');
  });

  it('refuses a key set address that is not https', () => {
    expect(() => build({ jwksUri: 'http://maskinporten.no/jwk' })).toThrow(
      'The CDK context value "jwksUri" must be an https URL (got http://maskinporten.no/jwk)',
    );
  });

  it('refuses a stage it has no settings for, naming the ones it has', () => {
    expect(() => build({ stage: 'staging' })).toThrow(
      'Unknown stage staging: -c stage= takes one of default, prod, test (infra/stages/)',
    );
  });
});
