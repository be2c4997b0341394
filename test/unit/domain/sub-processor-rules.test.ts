import { describe, expect, it } from 'vitest';
import {
  EEA_COUNTRY_CODES,
  EU_COUNTRY_CODES,
  ISO_COUNTRY_CODES,
  isInEea,
  transferMechanismProblem,
} from '../../../functions/domain/eea.ts';
import { createAgreementSchema } from '../../../functions/domain/schemas.ts';
import {
  dataTypeIssues,
  locationIssues,
  partyIssues,
  subProcessorContentIssues,
} from '../../../functions/domain/sub-processor-rules.ts';
import { CONTROLLER_ORG, exampleCreateRequest, PROCESSOR_ORG } from './agreement-fixture.ts';
import { inForceAgreement, requestBody } from './sub-processor-fixture.ts';

describe('the EEA (rule 7, clause 9)', () => {
  it('has the 27 EU member states, Greece as GR', () => {
    expect(EU_COUNTRY_CODES).toHaveLength(27);
    expect(new Set(EU_COUNTRY_CODES).size).toBe(27);
    expect(EU_COUNTRY_CODES).toContain('GR');
    expect(EU_COUNTRY_CODES).not.toContain('EL');
  });

  it.each(['NO', 'IS', 'LI'])('counts the EFTA EEA state %s as inside', (code) => {
    expect(isInEea(code)).toBe(true);
  });

  it.each(['SE', 'DK', 'FI', 'DE', 'FR', 'IE', 'PL', 'HR', 'CY'])('counts EU member %s as inside', (code) => {
    expect(isInEea(code)).toBe(true);
  });

  it.each(['AX', 'RE', 'GF'])('counts %s (EU territory with an ISO code of its own) as inside', (code) => {
    expect(isInEea(code)).toBe(true);
  });

  it.each([
    ['CH', 'Switzerland (EFTA, not EEA)'],
    ['GB', 'the United Kingdom'],
    ['US', 'the United States'],
    ['IN', 'India'],
    ['FO', 'the Faroe Islands'],
    ['GL', 'Greenland'],
    ['SJ', 'Svalbard and Jan Mayen'],
  ])('counts %s, %s, as outside', (code) => {
    expect(isInEea(code)).toBe(false);
  });

  it('is 30 states plus the 7 territories, all assigned ISO codes', () => {
    expect(EEA_COUNTRY_CODES.size).toBe(37);
    for (const code of EEA_COUNTRY_CODES) expect(ISO_COUNTRY_CODES.has(code), code).toBe(true);
  });

  it('knows the 249 assigned ISO 3166-1 codes and Kosovo, each a region the platform can name', () => {
    expect(ISO_COUNTRY_CODES.size).toBe(250);
    const names = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
    for (const code of ISO_COUNTRY_CODES) expect(names.of(code), code).toBeDefined();
  });
});

describe('the transfer mechanism', () => {
  it('is not needed inside the EEA', () => {
    expect(transferMechanismProblem('NO', undefined)).toBeUndefined();
    expect(transferMechanismProblem('SE', undefined)).toBeUndefined();
  });

  it('is needed outside it, and the reason names SCC and ADEQUACY', () => {
    expect(transferMechanismProblem('US', undefined)).toBe(
      'processing in US is outside the EEA and needs a transfer mechanism: EU standard contractual clauses (SCC) or an adequacy decision (ADEQUACY)',
    );
  });

  it.each(['SCC', 'ADEQUACY'] as const)('%s satisfies it', (mechanism) => {
    expect(transferMechanismProblem('US', mechanism)).toBeUndefined();
    expect(transferMechanismProblem('GB', mechanism)).toBeUndefined();
  });

  it('is reported on the transferMechanism field', () => {
    expect(locationIssues({ processingLocation: { city: 'Zürich', countryCode: 'CH' } })).toEqual([
      {
        path: ['transferMechanism'],
        message: expect.stringMatching(/^is required: processing in CH is outside the EEA/),
      },
    ]);
  });

  it('refuses a code that is not assigned, with the right code for a common mistake', () => {
    expect(locationIssues({ processingLocation: { city: 'London', countryCode: 'UK' } })).toEqual([
      {
        path: ['processingLocation', 'countryCode'],
        message: expect.stringContaining('the United Kingdom is GB'),
      },
    ]);
  });
});

describe('the personal data types of a sub-processor', () => {
  const scope = inForceAgreement().scope;

  it('may be any of the agreement’s types and special categories, in any case', () => {
    expect(dataTypeIssues(['Navn', 'fødselsnummer', ' HELSEOPPLYSNINGER '], scope)).toEqual([]);
  });

  it('may not be a type the agreement does not cover, naming the ones it does', () => {
    expect(dataTypeIssues(['Navn', 'Kontonummer'], scope)).toEqual([
      {
        path: ['personalDataTypes', 1],
        message:
          '"Kontonummer" is not among the personal data types of the agreement (Navn, Fødselsnummer, Helseopplysninger)',
      },
    ]);
  });
});

describe('the organisation number of a sub-processor', () => {
  const parties = inForceAgreement();

  it('may be absent (a foreign sub-processor has none)', () => {
    expect(partyIssues({}, parties)).toEqual([]);
  });

  it('may not be the processor itself or the controller', () => {
    expect(partyIssues({ orgNumber: PROCESSOR_ORG }, parties)).toEqual([
      { path: ['orgNumber'], message: expect.stringContaining("processor's own organisation") },
    ]);
    expect(partyIssues({ orgNumber: CONTROLLER_ORG }, parties)).toEqual([
      { path: ['orgNumber'], message: expect.stringContaining("controller's organisation") },
    ]);
  });

  it('reports every problem of a request at once', () => {
    const issues = subProcessorContentIssues(
      requestBody({
        orgNumber: PROCESSOR_ORG,
        processingLocation: { city: 'Seattle', countryCode: 'US' },
        personalDataTypes: ['Kontonummer'],
      }),
      parties,
    );
    expect(issues.map((issue) => issue.path.join('.'))).toEqual([
      'orgNumber',
      'transferMechanism',
      'personalDataTypes.0',
    ]);
  });
});

describe('sub-processors listed in a draft (createAgreementSchema)', () => {
  const issuesOf = (subProcessors: unknown[]) => {
    const result = createAgreementSchema.safeParse({ ...exampleCreateRequest(), subProcessors });
    return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
  };

  it('accepts one inside the EEA and one outside it with a mechanism', () => {
    expect(
      issuesOf([
        requestBody(),
        requestBody({
          name: 'Cloudy Inc',
          orgNumber: undefined,
          processingLocation: { city: 'Seattle', countryCode: 'US' },
          transferMechanism: 'SCC',
        }),
      ]),
    ).toEqual([]);
  });

  it('refuses one outside the EEA without a mechanism, naming it by position', () => {
    expect(
      issuesOf([requestBody(), requestBody({ processingLocation: { city: 'Genève', countryCode: 'CH' } })]),
    ).toEqual(['subProcessors.1.transferMechanism']);
  });

  it('refuses a data type the draft does not cover and an invalid organisation number', () => {
    expect(issuesOf([requestBody({ personalDataTypes: ['Kontonummer'] })])).toEqual([
      'subProcessors.0.personalDataTypes.0',
    ]);
    expect(issuesOf([requestBody({ orgNumber: '974652359' })])).toEqual(['subProcessors.0.orgNumber']);
  });
});
