import { describe, expect, it } from 'vitest';
import { renderAgreementDocument } from '../../../functions/domain/document/agreement-document.ts';
import type { Agreement, Signature } from '../../../functions/domain/schemas.ts';
import { flatText, pagesOf, poppler } from '../../support/pdf-text.ts';
import { awaitingAgreement, signature } from '../domain/agreement-fixture.ts';

const TITLE = 'Databehandleravtale for sørvis på ærlige åpne data';

/** Signed by the processor (on the 20th) and the controller (on the 21st), each with the content hash. */
function signedAgreement(overrides: Partial<Agreement> = {}): Agreement {
  const base = awaitingAgreement({
    title: TITLE,
    cooperationAgreementRef: 'Samarbeidsavtale om drift av fagsystemet',
    breachNotificationHours: 24,
    noticePeriodMonths: 2,
    scope: {
      purpose: 'Oppfølging av søkere til kvalifiseringsprogrammet',
      nature: 'Lagring, visning og sletting i fagsystemet',
      dataSubjectCategories: ['Søkere', 'Veiledere'],
      personalDataTypes: ['Navn', 'Fødselsnummer', 'Adresse'],
      specialCategories: ['Helseopplysninger'],
    },
    securityMeasures: 'Tilgangsstyring med tofaktorinnlogging.\n\nKryptering av all lagring og overføring.',
    subProcessors: [
      {
        name: 'Driftsselskapet Øst AS',
        orgNumber: '953264382',
        address: 'Storgata 1, 0155 Oslo',
        processingLocation: { city: 'Oslo', countryCode: 'NO' },
        activities: 'Drift og sikkerhetskopi av fagsystemet',
        personalDataTypes: ['Navn', 'Adresse'],
      },
      {
        name: 'Skyleverandøren Ltd',
        address: '1 Harbour Street, Dublin',
        processingLocation: { city: 'Dublin', countryCode: 'US' },
        activities: 'Lagring av sikkerhetskopier',
        personalDataTypes: ['Navn'],
        transferMechanism: 'SCC',
      },
    ],
    ...overrides,
  });
  const signatures: Signature[] = overrides.signatures ?? [
    { ...signature('processor', '2026-11-20'), contentHash: base.contentHash, person: 'Per Prøvesen' },
    {
      ...signature('controller', '2026-11-21'),
      signatory: { name: 'Åse Ærlig', title: 'Kommunedirektør' },
      place: 'Bærum',
      contentHash: base.contentHash,
    },
  ];
  return { ...base, signatures, status: 'IN_FORCE', effectiveFrom: '2026-11-21' };
}

const latin1 = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

describe('the agreement as a PDF', () => {
  it('is a PDF poppler reads without a complaint, its title in the metadata with æ ø å', () => {
    const { stdout, stderr } = poppler('pdfinfo', renderAgreementDocument(signedAgreement()));
    expect(stderr).toBe('');
    expect(stdout).toMatch(new RegExp(`^Title:\\s+${TITLE}$`, 'm'));
  });

  it('has every section of the structure of agreement 003, in order', () => {
    const text = flatText(renderAgreementDocument(signedAgreement()));
    const headings = [
      'DATABEHANDLERAVTALE',
      '1. Avtalens hensikt og formål',
      '2. Definisjoner',
      '3. Databehandlingens formål og omfang',
      '4. Databehandlerens generelle plikter',
      '5. Bistand til den behandlingsansvarlige',
      '6. Sikkerhetstiltak',
      '7. Taushetsplikt',
      '8. Underdatabehandlere',
      '9. Overføring til tredjestat',
      '10. Brudd på personopplysningssikkerheten (avvik)',
      '11. Revisjon',
      '12. Endringer',
      '13. Varighet og oppsigelse',
      '14. Tilbakelevering og sletting ved opphør',
      '15. Lovvalg',
      '16. Kontaktpersoner',
      'Signaturer',
      'VEDLEGG 1: DATABEHANDLINGENS OMFANG',
      'VEDLEGG 2: TEKNISKE OG ORGANISATORISKE SIKKERHETSTILTAK',
      'VEDLEGG 3: GODKJENTE UNDERDATABEHANDLERE',
    ];
    const positions = headings.map((heading) => text.indexOf(heading));
    headings.forEach((heading, index) => {
      expect(positions[index], heading).toBeGreaterThanOrEqual(0);
    });
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('names the parties with their organisation numbers, and the title with æ ø å', () => {
    const text = flatText(renderAgreementDocument(signedAgreement()));
    expect(text).toContain(TITLE);
    expect(text).toContain('Behandlingsansvarlig Radøy kommune, org.nr. 954748634');
    expect(text).toContain('Databehandler Arbeids- og velferdsetaten, org.nr. 889640782');
    expect(text).toContain('Databehandleravtalen er en del av Samarbeidsavtale om drift av fagsystemet');
  });

  it("writes this agreement's values into the clauses", () => {
    const text = flatText(renderAgreementDocument(signedAgreement()));
    expect(text).toContain('senest 24 timer etter at databehandleren ble oppmerksom på bruddet');
    expect(text).toContain('si opp avtalen med 2 måneders skriftlig varsel');
    expect(text).toContain('De 2 underdatabehandlerne i Vedlegg 3 er godkjent ved signeringen');
    expect(text).toContain('særskilt skriftlig forhåndsgodkjenning');
    expect(text).toContain('tilbakelevere eller slette alle personopplysninger');
  });

  it('writes one hour and one month in the singular, and says when no sub-processor is approved', () => {
    const text = flatText(
      renderAgreementDocument(
        signedAgreement({ breachNotificationHours: 1, noticePeriodMonths: 1, subProcessors: [] }),
      ),
    );
    expect(text).toContain('senest 1 time etter');
    expect(text).toContain('med 1 måneds skriftlig varsel');
    expect(text).toContain('Ved signering er ingen underdatabehandlere godkjent');
    expect(text).toContain('Ingen underdatabehandlere er godkjent ved signering.');
  });

  it('has the scope in Vedlegg 1 and the security measures in Vedlegg 2', () => {
    const pages = pagesOf(renderAgreementDocument(signedAgreement()));
    const vedlegg1 = pages.find((page) => page.includes('VEDLEGG 1'))!.replace(/\s+/g, ' ');
    for (const expected of [
      'Behandlingens formål Oppfølging av søkere til kvalifiseringsprogrammet',
      'Behandlingens art Lagring, visning og sletting i fagsystemet',
      '• Søkere • Veiledere',
      '• Navn • Fødselsnummer • Adresse',
      'Særlige kategorier av personopplysninger • Helseopplysninger',
    ]) {
      expect(vedlegg1).toContain(expected);
    }
    const vedlegg2 = pages.find((page) => page.includes('VEDLEGG 2'))!.replace(/\s+/g, ' ');
    expect(vedlegg2).toContain(
      'Tilgangsstyring med tofaktorinnlogging. Kryptering av all lagring og overføring.',
    );
  });

  it('lists the sub-processors approved at signing in Vedlegg 3, with everything each was approved for', () => {
    const vedlegg3 = pagesOf(renderAgreementDocument(signedAgreement()))
      .find((page) => page.includes('VEDLEGG 3'))!
      .replace(/\s+/g, ' ');
    for (const expected of [
      '1. Driftsselskapet Øst AS',
      'Org.nr. 953264382',
      'Adresse Storgata 1, 0155 Oslo',
      'Behandlingssted Oslo, NO',
      'Aktiviteter Drift og sikkerhetskopi av fagsystemet',
      'Personopplysninger Navn, Adresse',
      'Overføringsgrunnlag Ikke nødvendig: behandlingen skjer i EØS',
      '2. Skyleverandøren Ltd',
      'Behandlingssted Dublin, US',
      'Overføringsgrunnlag EUs standard personvernbestemmelser (SCC)',
    ]) {
      expect(vedlegg3).toContain(expected);
    }
  });

  it('has the contact persons of both parties', () => {
    const text = flatText(renderAgreementDocument(signedAgreement()));
    expect(text).toContain(
      'Kontaktperson hos behandlingsansvarlig Navn Kari Nordmann E-post kari@example.kommune.no Telefon +4799999999',
    );
    expect(text).toContain(
      'Kontaktperson hos databehandler Navn Ola Nordmann E-post ola@example.no Telefon +4798888888',
    );
  });

  it('shows each signature on the signature page: signatory, title, place, date, the hash signed, the person', () => {
    const agreement = signedAgreement();
    const page = pagesOf(renderAgreementDocument(agreement))
      .find((candidate) => candidate.includes('Signaturer'))!
      .replace(/\s+/g, ' ');
    expect(page).toContain(
      'For og på vegne av den behandlingsansvarlige, Radøy kommune: Signatur Signert elektronisk ' +
        `Navn Åse Ærlig Tittel Kommunedirektør Sted Bærum Dato 21.11.2026 Signert innhold ${agreement.contentHash} ` +
        'Registrert 2026-11-21 12:00:00 UTC',
    );
    expect(page).toContain(
      'For og på vegne av databehandleren, Arbeids- og velferdsetaten: Signatur Signert elektronisk ' +
        `Navn Ola Direktør Tittel Leder Sted Oslo Dato 20.11.2026 Signert innhold ${agreement.contentHash} ` +
        'Signert av Per Prøvesen Registrert 2026-11-20 12:00:00 UTC',
    );
    expect(page).toContain('Avtalen gjelder fra 21.11.2026');
  });

  it('leaves an empty signature slot for a party that has not signed', () => {
    const agreement = awaitingAgreement({ signatures: [signature('processor', '2026-11-20')] });
    const page = pagesOf(renderAgreementDocument(agreement))
      .find((candidate) => candidate.includes('Signaturer'))!
      .replace(/\s+/g, ' ');
    expect(page).toContain(
      'For og på vegne av den behandlingsansvarlige, Radøy kommune: Ikke signert. Signatur Navn og tittel Sted og dato',
    );
    // A signature from before hashes were required says so instead of showing a hash.
    expect(page).toContain('Signert innhold Ikke oppgitt (signert før innholdshash ble påkrevd)');
    expect(page).not.toContain('Avtalen gjelder fra');
  });

  it('has the content hash and the page number on every page', () => {
    const agreement = signedAgreement();
    const pages = pagesOf(renderAgreementDocument(agreement));
    expect(pages.length).toBeGreaterThanOrEqual(5);
    pages.forEach((page, index) => {
      expect(page).toContain(`Innholdshash: ${agreement.contentHash} · Side ${index + 1} av ${pages.length}`);
    });
  });

  it('fits a longer hash on every page too, whole', () => {
    const long = `sha512:${'c0ffee'.repeat(21)}ab`;
    const pages = pagesOf(renderAgreementDocument({ ...signedAgreement(), contentHash: long }));
    for (const page of pages) expect(page.replace(/\s+/g, '')).toContain(`Innholdshash:${long}`);
  });

  it('shows a character outside WinAnsi as a question mark', () => {
    const text = flatText(renderAgreementDocument(signedAgreement({ title: 'Avtale 🙂 om Łódź' })));
    expect(text).toContain('Avtale ? om ?ód?');
  });
});

describe('the same content renders the same bytes', () => {
  it('twice, and from a structurally equal copy', () => {
    const agreement = signedAgreement();
    const once = renderAgreementDocument(agreement);
    expect(same(renderAgreementDocument(agreement), once)).toBe(true);
    expect(same(renderAgreementDocument(structuredClone(agreement)), once)).toBe(true);
  });

  it('whatever order the signatures are stored in', () => {
    const agreement = signedAgreement();
    const reordered = { ...agreement, signatures: [...agreement.signatures].reverse() };
    expect(same(renderAgreementDocument(reordered), renderAgreementDocument(agreement))).toBe(true);
  });

  it('with the latest signature as the creation date, or the creation of the agreement while unsigned', () => {
    expect(latin1(renderAgreementDocument(signedAgreement()))).toContain(
      "/CreationDate (D:20261121120000Z00'00')",
    );
    const unsigned = awaitingAgreement({ createdAt: '2026-11-01T09:30:15.000Z' });
    expect(latin1(renderAgreementDocument(unsigned))).toContain("/CreationDate (D:20261101093015Z00'00')");
  });

  it('with the content hash as the first part of the file identifier', () => {
    const agreement = signedAgreement();
    const id = /\/ID \[<([0-9A-F]{32})>/.exec(latin1(renderAgreementDocument(agreement)))?.[1];
    expect(id?.toLowerCase()).toBe(agreement.contentHash.slice('sha256:'.length, 'sha256:'.length + 32));
  });

  it('and other content other bytes', () => {
    const agreement = signedAgreement();
    const retitled = signedAgreement({ title: `${TITLE} (revidert)` });
    expect(retitled.contentHash).not.toBe(agreement.contentHash);
    expect(same(renderAgreementDocument(retitled), renderAgreementDocument(agreement))).toBe(false);
    const longerNotice = signedAgreement({ noticePeriodMonths: 3 });
    expect(same(renderAgreementDocument(longerNotice), renderAgreementDocument(agreement))).toBe(false);
  });
});
