import { createHash } from 'node:crypto';
import type { Agreement, PartyRole, Signature } from '../schemas.ts';
import { writePdf } from './pdf-writer.ts';
import { type Block, type LineBlock, layOut } from './text-layout.ts';

/**
 * Rule 12: the agreement as a document both parties can file, in bokmål and in the structure of seed
 * agreement 003 (the clauses 1-16 with this agreement's values, the signature page, Vedlegg 1-3), the
 * content hash on every page.
 *
 * The same agreement always renders the same bytes (pdf-writer.ts says how). The only date in the
 * file's metadata, `CreationDate`, is the time of the latest signature (`signedAt`), or the
 * agreement's `createdAt` while nobody has signed; it is not the time of rendering. The first part of
 * the file identifier (`/ID`) is the first 16 bytes of the content hash, so every rendering of the
 * same content shares it.
 */
export function renderAgreementDocument(agreement: Agreement, contentVersion = 1): Uint8Array {
  const pages = layOut(agreementBlocks(agreement, contentVersion), {
    footer: (page, count) => `Innholdshash: ${agreement.contentHash} · Side ${page} av ${count}`,
  });
  return writePdf({
    pages,
    metadata: {
      title: agreement.title,
      subject: `Databehandleravtale mellom ${agreement.controller.name} og ${agreement.processor.name}`,
      keywords: agreement.contentHash,
      creator: 'Databehandleravtaler',
      producer: 'Databehandleravtaler (functions/domain/document)',
      creationDate: creationDateOf(agreement),
      language: 'nb-NO',
    },
    permanentId: permanentIdOf(agreement.contentHash),
  });
}

/** The latest signature's `signedAt`, or `createdAt` while unsigned: never the time of rendering. */
export function creationDateOf(agreement: Pick<Agreement, 'signatures' | 'createdAt'>): Date {
  const instants = agreement.signatures.map((signature) => Date.parse(signature.signedAt));
  return new Date(instants.length > 0 ? Math.max(...instants) : Date.parse(agreement.createdAt));
}

function permanentIdOf(contentHash: string): Uint8Array {
  const hex = /^sha256:([0-9a-f]{64})$/.exec(contentHash)?.[1];
  // A hash of another form (none is stored today) still gives an id that follows the content.
  return hex
    ? Buffer.from(hex, 'hex').subarray(0, 16)
    : createHash('sha256').update(contentHash, 'utf8').digest().subarray(0, 16);
}

const HASH_SIZE = 8;

function agreementBlocks(agreement: Agreement, contentVersion: number): Block[] {
  const { controller, processor } = agreement;
  const subProcessorCount = agreement.subProcessors.length;
  return [
    { kind: 'heading', level: 1, text: 'DATABEHANDLERAVTALE' },
    { kind: 'paragraph', bold: true, size: 12, text: agreement.title },
    { kind: 'paragraph', text: 'etter personvernforordningen (GDPR) artikkel 28 nr. 3' },
    {
      kind: 'fields',
      rows: [
        { label: 'Behandlingsansvarlig', value: partyLine(controller) },
        { label: 'Databehandler', value: partyLine(processor) },
        ...(agreement.cooperationAgreementRef
          ? [{ label: 'Samarbeidsavtale', value: agreement.cooperationAgreementRef }]
          : []),
        { label: 'Avtale-ID', value: agreement.id },
        { label: 'Innholdsversjon', value: String(contentVersion) },
        { label: 'Innholdshash', value: agreement.contentHash, size: HASH_SIZE },
        ...(agreement.effectiveFrom
          ? [{ label: 'I kraft fra', value: norwegianDate(agreement.effectiveFrom) }]
          : []),
      ],
    },

    { kind: 'heading', level: 2, text: '1. Avtalens hensikt og formål' },
    paragraph(
      `Denne databehandleravtalen («databehandleravtalen») inngås mellom ${controller.name} som ` +
        `«behandlingsansvarlig» og ${processor.name} som «databehandler», der begge utgjør en «part», ` +
        'samlet benevnt «partene».',
    ),
    ...(agreement.cooperationAgreementRef
      ? [
          paragraph(
            `Databehandleravtalen er en del av ${agreement.cooperationAgreementRef} («samarbeidsavtalen»). ` +
              'Med unntak av det som er spesifisert her, gjelder samarbeidsavtalens betingelser. Ved motstrid ' +
              'mellom samarbeidsavtalen og databehandleravtalen i forhold som gjelder behandling av ' +
              'personopplysninger, går databehandleravtalen foran.',
          ),
        ]
      : []),
    paragraph(
      'Formålet med databehandleravtalen er å fastsette partenes rettigheter og plikter når ' +
        'databehandleren behandler personopplysninger på vegne av den behandlingsansvarlige, slik ' +
        'personvernforordningen artikkel 28 krever.',
    ),

    { kind: 'heading', level: 2, text: '2. Definisjoner' },
    paragraph(
      'Ord og uttrykk i denne avtalen har samme betydning som i personvernforordningen (EU) 2016/679 ' +
        '(«GDPR») og personopplysningsloven. «Underdatabehandler» er en annen databehandler som ' +
        'databehandleren engasjerer for å utføre bestemte behandlingsaktiviteter på vegne av den ' +
        'behandlingsansvarlige. «Tredjestat» er en stat utenfor EØS.',
    ),

    { kind: 'heading', level: 2, text: '3. Databehandlingens formål og omfang' },
    paragraph(
      'Avtalen gjelder alle personopplysninger som databehandleren behandler på vegne av den ' +
        'behandlingsansvarlige. Behandlingens formål og art, typene personopplysninger og kategoriene av ' +
        'registrerte står i Vedlegg 1 om databehandlingens omfang.',
    ),

    { kind: 'heading', level: 2, text: '4. Databehandlerens generelle plikter' },
    paragraph(
      'Databehandleren skal bare behandle personopplysningene etter dokumenterte instrukser fra den ' +
        'behandlingsansvarlige, for det formål og innenfor det omfang som står i Vedlegg 1. ' +
        'Databehandleren skal straks varsle den behandlingsansvarlige skriftlig dersom en instruks etter ' +
        'databehandlerens mening er i strid med personvernregelverket.',
    ),

    { kind: 'heading', level: 2, text: '5. Bistand til den behandlingsansvarlige' },
    paragraph(
      'Databehandleren skal bistå den behandlingsansvarlige med å oppfylle de registrertes rettigheter ' +
        'etter GDPR kapittel III og pliktene etter GDPR artikkel 32 til 36, og skal straks videresende ' +
        'henvendelser fra registrerte og fra tilsynsmyndigheter til den behandlingsansvarlige.',
    ),

    { kind: 'heading', level: 2, text: '6. Sikkerhetstiltak' },
    paragraph(
      'Databehandleren skal gjennomføre egnede tekniske og organisatoriske tiltak for å oppnå et ' +
        'sikkerhetsnivå som er egnet med hensyn til risikoen, jf. GDPR artikkel 32, og som et minimum ' +
        'tiltakene i Vedlegg 2. Tiltakene kan ikke svekkes uten skriftlig samtykke fra den ' +
        'behandlingsansvarlige.',
    ),

    { kind: 'heading', level: 2, text: '7. Taushetsplikt' },
    paragraph(
      'Alle som behandler personopplysningene på databehandlerens vegne, har taushetsplikt om ' +
        'opplysningene. Taushetsplikten gjelder også etter at avtalen har opphørt.',
    ),

    { kind: 'heading', level: 2, text: '8. Underdatabehandlere' },
    paragraph(
      'Databehandleren kan bare engasjere en underdatabehandler etter særskilt skriftlig ' +
        'forhåndsgodkjenning fra den behandlingsansvarlige, og godkjenningen skal foreligge før ' +
        'underdatabehandleren begynner å behandle personopplysninger. Databehandleren skal inngå skriftlig ' +
        'avtale med hver underdatabehandler som pålegger den de samme pliktene som denne avtalen, og ' +
        'svarer fullt ut for at underdatabehandleren oppfyller dem.',
    ),
    paragraph(
      subProcessorCount === 0
        ? 'Ved signering er ingen underdatabehandlere godkjent (Vedlegg 3).'
        : subProcessorCount === 1
          ? 'Underdatabehandleren i Vedlegg 3 er godkjent ved signeringen av denne avtalen.'
          : `De ${subProcessorCount} underdatabehandlerne i Vedlegg 3 er godkjent ved signeringen av denne avtalen.`,
    ),

    { kind: 'heading', level: 2, text: '9. Overføring til tredjestat' },
    paragraph(
      'Personopplysninger kan bare overføres til en tredjestat eller en internasjonal organisasjon etter ' +
        'dokumenterte instrukser fra den behandlingsansvarlige og med et gyldig overføringsgrunnlag etter ' +
        'GDPR kapittel V: en beslutning om tilstrekkelig beskyttelsesnivå eller EUs standard ' +
        'personvernbestemmelser (SCC).',
    ),

    { kind: 'heading', level: 2, text: '10. Brudd på personopplysningssikkerheten (avvik)' },
    paragraph(
      'Databehandleren skal gi skriftlig melding til den behandlingsansvarlige om brudd på ' +
        'personopplysningssikkerheten uten ugrunnet opphold og senest ' +
        `${count(agreement.breachNotificationHours, 'time', 'timer')} etter at databehandleren ble ` +
        'oppmerksom på bruddet. Meldingen skal så langt det er mulig:',
    ),
    {
      kind: 'list',
      items: [
        'beskrive arten av bruddet, kategoriene av og omtrentlig antall registrerte som er berørt;',
        'oppgi kategoriene av og omtrentlig antall registreringer av personopplysninger som er berørt;',
        'oppgi navn og kontaktopplysninger til et kontaktpunkt hos databehandleren;',
        'beskrive de sannsynlige konsekvensene av bruddet;',
        'beskrive tiltakene som er truffet eller foreslått for å håndtere bruddet, herunder tiltak for å redusere mulige skadevirkninger.',
      ].map((text, index) => ({ marker: `${String.fromCharCode(0x61 + index)})`, text })),
    },
    paragraph('Bare den behandlingsansvarlige melder bruddet til Datatilsynet og informerer de registrerte.'),

    { kind: 'heading', level: 2, text: '11. Revisjon' },
    paragraph(
      'Databehandleren skal gjøre tilgjengelig all informasjon som er nødvendig for å påvise at pliktene ' +
        'i denne avtalen er oppfylt, og skal muliggjøre og bidra til revisjoner, herunder inspeksjoner, ' +
        'som den behandlingsansvarlige eller en revisor med fullmakt fra den behandlingsansvarlige utfører.',
    ),

    { kind: 'heading', level: 2, text: '12. Endringer' },
    paragraph(
      'Endringer i avtalen og vedleggene avtales skriftlig som nummererte endringer som begge parter ' +
        'signerer. Hver part kan likevel når som helst bytte ut sin egen kontaktperson (punkt 16); den ' +
        'andre parten skal varsles.',
    ),

    { kind: 'heading', level: 2, text: '13. Varighet og oppsigelse' },
    paragraph(
      'Avtalen trer i kraft når begge parter har signert, og gjelder så lenge databehandleren behandler ' +
        'personopplysninger på vegne av den behandlingsansvarlige. Hver av partene kan si opp avtalen ' +
        `med ${count(agreement.noticePeriodMonths, 'måneds', 'måneders')} skriftlig varsel.`,
    ),

    { kind: 'heading', level: 2, text: '14. Tilbakelevering og sletting ved opphør' },
    paragraph(
      'Når avtalen opphører, skal databehandleren etter den behandlingsansvarliges valg tilbakelevere ' +
        'eller slette alle personopplysninger og eksisterende kopier, og skriftlig dokumentere overfor ' +
        'den behandlingsansvarlige at dette er gjort. Krever gjeldende rett i EØS at databehandleren ' +
        'lagrer personopplysningene, skal databehandleren sikre dem, ikke behandle dem videre, og slette ' +
        'dem så snart loven tillater det.',
    ),

    { kind: 'heading', level: 2, text: '15. Lovvalg' },
    paragraph('Avtalen er underlagt norsk rett. Dette gjelder også etter at avtalen har opphørt.'),

    { kind: 'heading', level: 2, text: '16. Kontaktpersoner' },
    paragraph(
      'Alle meddelelser etter denne avtalen skal være skriftlige og rettes til partenes kontaktpersoner:',
    ),
    ...contactBlocks('Kontaktperson hos behandlingsansvarlig', agreement.contacts.controller),
    ...contactBlocks('Kontaktperson hos databehandler', agreement.contacts.processor),

    { kind: 'pageBreak' },
    ...signatureBlocks(agreement),

    { kind: 'pageBreak' },
    { kind: 'heading', level: 1, text: 'VEDLEGG 1: DATABEHANDLINGENS OMFANG' },
    { kind: 'heading', level: 3, text: 'Behandlingens formål' },
    paragraph(agreement.scope.purpose),
    { kind: 'heading', level: 3, text: 'Behandlingens art' },
    paragraph(agreement.scope.nature),
    { kind: 'heading', level: 3, text: 'Kategorier av registrerte' },
    bullets(agreement.scope.dataSubjectCategories),
    { kind: 'heading', level: 3, text: 'Typer personopplysninger' },
    bullets(agreement.scope.personalDataTypes),
    { kind: 'heading', level: 3, text: 'Særlige kategorier av personopplysninger' },
    agreement.scope.specialCategories.length > 0
      ? bullets(agreement.scope.specialCategories)
      : paragraph('Ingen særlige kategorier av personopplysninger behandles.'),

    { kind: 'pageBreak' },
    { kind: 'heading', level: 1, text: 'VEDLEGG 2: TEKNISKE OG ORGANISATORISKE SIKKERHETSTILTAK' },
    paragraph(
      'Databehandleren skal som et minimum gjennomføre tiltakene nedenfor, og skal arbeide for å forbedre ' +
        'dem i takt med den teknologiske utviklingen. Tiltakene kan ikke svekkes uten skriftlig samtykke ' +
        'fra den behandlingsansvarlige.',
    ),
    paragraph(agreement.securityMeasures),

    { kind: 'pageBreak' },
    { kind: 'heading', level: 1, text: 'VEDLEGG 3: GODKJENTE UNDERDATABEHANDLERE' },
    paragraph(
      'Underdatabehandlerne nedenfor er godkjent ved signeringen av denne avtalen. Senere ' +
        'underdatabehandlere godkjennes særskilt og skriftlig etter punkt 8.',
    ),
    ...(subProcessorCount === 0
      ? [paragraph('Ingen underdatabehandlere er godkjent ved signering.')]
      : agreement.subProcessors.map(
          (subProcessor, index): Block => ({
            kind: 'keepTogether',
            blocks: [
              { kind: 'heading', level: 3, text: `${index + 1}. ${subProcessor.name}` },
              {
                kind: 'fields',
                rows: [
                  ...(subProcessor.orgNumber ? [{ label: 'Org.nr.', value: subProcessor.orgNumber }] : []),
                  { label: 'Adresse', value: subProcessor.address },
                  {
                    label: 'Behandlingssted',
                    value: `${subProcessor.processingLocation.city}, ${subProcessor.processingLocation.countryCode}`,
                  },
                  { label: 'Aktiviteter', value: subProcessor.activities },
                  { label: 'Personopplysninger', value: subProcessor.personalDataTypes.join(', ') },
                  {
                    label: 'Overføringsgrunnlag',
                    value: transferMechanismText(subProcessor.transferMechanism),
                  },
                ],
              },
            ],
          }),
        )),
  ];
}

const paragraph = (text: string): LineBlock => ({ kind: 'paragraph', text });

const bullets = (items: readonly string[]): LineBlock => ({
  kind: 'list',
  items: items.map((text) => ({ marker: '\u2022', text })),
});

const partyLine = (party: { name: string; orgNumber: string }) => `${party.name}, org.nr. ${party.orgNumber}`;

/** `1 time`, `36 timer`: the singular for one. */
const count = (value: number, one: string, many: string) => `${value} ${value === 1 ? one : many}`;

/** A calendar date `YYYY-MM-DD` as Norwegians write it: `DD.MM.YYYY`. */
export function norwegianDate(date: string): string {
  const [year, month, day] = date.split('-');
  return year && month && day ? `${day}.${month}.${year}` : date;
}

function contactBlocks(heading: string, contact: Agreement['contacts']['controller']): Block[] {
  return [
    {
      kind: 'keepTogether',
      blocks: [
        { kind: 'heading', level: 3, text: heading },
        {
          kind: 'fields',
          rows: [
            { label: 'Navn', value: contact.name },
            { label: 'E-post', value: contact.email },
            { label: 'Telefon', value: contact.phone },
          ],
        },
      ],
    },
  ];
}

function transferMechanismText(mechanism: 'SCC' | 'ADEQUACY' | undefined): string {
  if (mechanism === 'SCC') return 'EUs standard personvernbestemmelser (SCC)';
  if (mechanism === 'ADEQUACY') return 'Beslutning om tilstrekkelig beskyttelsesnivå (GDPR artikkel 45)';
  return 'Ikke nødvendig: behandlingen skjer i EØS';
}

const PARTIES: readonly { role: PartyRole; on: string }[] = [
  { role: 'controller', on: 'den behandlingsansvarlige' },
  { role: 'processor', on: 'databehandleren' },
];

/** The signature page: both parties in a fixed order, a signature or an empty slot for each. */
function signatureBlocks(agreement: Agreement): Block[] {
  return [
    { kind: 'heading', level: 2, text: 'Signaturer' },
    paragraph(
      'Avtalen signeres elektronisk av begge parter. Hver signatur gjelder innholdet med innholdshashen ' +
        'som står ved signaturen, og avtalen trer i kraft når begge parter har signert. Hver part kan ' +
        'arkivere sitt eksemplar av dette dokumentet.',
    ),
    ...(agreement.effectiveFrom
      ? [
          paragraph(
            `Begge parter har signert. Avtalen gjelder fra ${norwegianDate(agreement.effectiveFrom)}.`,
          ),
        ]
      : []),
    ...PARTIES.map(({ role, on }): Block => {
      const party = agreement[role];
      const signature = agreement.signatures.find((candidate) => candidate.party === role);
      return {
        kind: 'keepTogether',
        blocks: [
          { kind: 'heading', level: 3, text: `For og på vegne av ${on}, ${party.name}:` },
          ...(signature ? signedBlocks(signature) : unsignedBlocks()),
        ],
      };
    }),
  ];
}

function signedBlocks(signature: Signature): LineBlock[] {
  return [
    {
      kind: 'fields',
      rows: [
        { label: 'Signatur', value: 'Signert elektronisk' },
        { label: 'Navn', value: signature.signatory.name },
        { label: 'Tittel', value: signature.signatory.title },
        { label: 'Sted', value: signature.place },
        { label: 'Dato', value: norwegianDate(signature.signedOn) },
        {
          label: 'Signert innhold',
          value: signature.contentHash ?? 'Ikke oppgitt (signert før innholdshash ble påkrevd)',
          ...(signature.contentHash ? { size: HASH_SIZE } : {}),
        },
        ...(signature.person ? [{ label: 'Signert av', value: signature.person }] : []),
        {
          label: 'Registrert',
          value: `${signature.signedAt.replace('T', ' ').replace(/\.\d+Z$|Z$/, '')} UTC`,
        },
      ],
    },
  ];
}

function unsignedBlocks(): LineBlock[] {
  return [
    paragraph('Ikke signert.'),
    { kind: 'signatureLine', label: 'Signatur' },
    { kind: 'signatureLine', label: 'Navn og tittel' },
    { kind: 'signatureLine', label: 'Sted og dato' },
  ];
}
