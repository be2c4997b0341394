import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { nextVersion } from '../../../functions/domain/changes.ts';
import { CONTENT_FIELDS, canonicalContent, contentHashOf } from '../../../functions/domain/content-hash.ts';
import { awaitingAgreement, draftAgreement, signature } from './agreement-fixture.ts';

const sha256 = (text: string) => `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`;

describe('rule 12: the canonical content and its hash', () => {
  it('serialises the content fields by RFC 8785: sorted keys, no spaces, Norwegian letters as they are', () => {
    const content = {
      title: 'Avtale for Radøy',
      scope: {
        purpose: 'Oppfølging',
        nature: 'Lagring',
        dataSubjectCategories: ['Deltakere'],
        personalDataTypes: ['Navn'],
        specialCategories: [],
      },
      securityMeasures: 'Tilgangsstyring på æ, ø og å',
      subProcessors: [],
      noticePeriodMonths: 3,
      breachNotificationHours: 36,
    };
    expect(canonicalContent(content)).toBe(
      '{"breachNotificationHours":36,"noticePeriodMonths":3,"scope":{"dataSubjectCategories":["Deltakere"],' +
        '"nature":"Lagring","personalDataTypes":["Navn"],"purpose":"Oppfølging","specialCategories":[]},' +
        '"securityMeasures":"Tilgangsstyring på æ, ø og å","subProcessors":[],"title":"Avtale for Radøy"}',
    );
    expect(contentHashOf(content)).toBe(sha256(canonicalContent(content)));
    expect(contentHashOf(content)).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('does not depend on the order of the fields as stored or sent', () => {
    const agreement = draftAgreement({ cooperationAgreementRef: 'Samarbeidsavtale' });
    const reordered = Object.fromEntries(Object.entries(agreement).reverse()) as typeof agreement;
    expect(contentHashOf(reordered)).toBe(contentHashOf(agreement));
  });

  it('leaves out the contact persons, the parties and the bookkeeping of the record', () => {
    const agreement = draftAgreement();
    const hash = contentHashOf(agreement);
    const recontacted: typeof agreement = {
      ...agreement,
      contacts: {
        controller: { name: 'Ny Person', email: 'ny@example.kommune.no', phone: '+4791111111' },
        processor: agreement.contacts.processor,
      },
    };
    expect(contentHashOf(recontacted)).toBe(hash);
    expect(contentHashOf(awaitingAgreement({ signatures: [signature('processor', '2026-11-20')] }))).toBe(
      hash,
    );
    expect(canonicalContent(agreement)).not.toContain('Kari Nordmann');
  });

  it.each([
    ['title', 'Ny tittel'],
    ['cooperationAgreementRef', 'Samarbeidsavtale om noe annet'],
    ['securityMeasures', 'Sterkere tiltak'],
    ['noticePeriodMonths', 6],
    ['breachNotificationHours', 24],
  ] as const)('changes with %s', (field, value) => {
    const agreement = draftAgreement();
    expect(contentHashOf({ ...agreement, [field]: value })).not.toBe(contentHashOf(agreement));
  });

  it('changes with Vedlegg 1 and Vedlegg 3', () => {
    const agreement = draftAgreement();
    const hash = contentHashOf(agreement);
    expect(
      contentHashOf({ ...agreement, scope: { ...agreement.scope, personalDataTypes: ['Navn', 'Adresse'] } }),
    ).not.toBe(hash);
    expect(
      contentHashOf({
        ...agreement,
        subProcessors: [
          {
            name: 'Drift AS',
            orgNumber: '953264382',
            address: 'Storgata 1, 0155 Oslo',
            processingLocation: { city: 'Oslo', countryCode: 'NO' },
            activities: 'Drift',
            personalDataTypes: ['Navn'],
          },
        ],
      } as typeof agreement),
    ).not.toBe(hash);
  });

  it('names every content field of rule 2 but the contact persons', () => {
    expect([...CONTENT_FIELDS].sort()).toEqual(
      [
        'breachNotificationHours',
        'cooperationAgreementRef',
        'noticePeriodMonths',
        'scope',
        'securityMeasures',
        'subProcessors',
        'title',
      ].sort(),
    );
  });

  it('follows the content from one version to the next, and only the content', () => {
    const agreement = draftAgreement();
    const at = new Date('2026-11-20T09:00:00Z');
    expect(nextVersion(agreement, { status: 'AWAITING_SIGNATURES' }, at).contentHash).toBe(
      agreement.contentHash,
    );
    const edited = nextVersion(agreement, { title: 'Ny tittel' }, at);
    expect(edited.contentHash).toBe(contentHashOf({ ...agreement, title: 'Ny tittel' }));
    expect(edited.contentHash).not.toBe(agreement.contentHash);
  });
});
