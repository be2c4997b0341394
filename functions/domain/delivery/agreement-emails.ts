import {
  type EmailAction,
  type EmailTemplate,
  endOfDayDeadline,
  norwegianDate,
  otherRole,
  partyLabel,
  type TemplateInput,
} from './email-message.ts';

/** E-mails of signing and of the agreement's contacts (rules 3, 4 and 13; 003 §16). */

const SIGNATURE_BODY =
  '{"signatory": {"name": "…", "title": "…"}, "place": "…", "contentHash": "<contentHash fra GET-kallet over>"}';

/** Read the agreement, then sign it with the hash of the content read (rule 12). */
function signActions(input: TemplateInput): EmailAction[] {
  return [
    { text: 'Les avtalen (PDF):', call: { method: 'GET', path: input.path('/document') } },
    {
      text: 'Hent avtalen og dens contentHash, fingeravtrykket av innholdet dere signerer:',
      call: { method: 'GET', path: input.path() },
    },
    {
      text: `Signer for ${input.agreement[input.recipientRole].name}:`,
      call: { method: 'POST', path: input.path('/signatures'), body: SIGNATURE_BODY },
    },
  ];
}

function deadlineSentence(deadline: string | undefined): string {
  return deadline
    ? `Fristen for signatur er ${endOfDayDeadline(deadline)}. Har ikke begge parter signert innen da, utløper avtalen og kan ikke lenger signeres.`
    : 'Fristen for signatur står i feltet signatureDeadline på avtalen; har ikke begge parter signert innen utgangen av den dagen (norsk tid), utløper avtalen.';
}

const deadlineFact = (deadline: string | undefined): [string, string][] =>
  deadline ? [['Signaturfrist', endOfDayDeadline(deadline)]] : [];

const awaitingSignatures: EmailTemplate = (input) => {
  const deadline = input.details.date('signatureDeadline');
  return {
    headline: 'Avtalen venter på signatur',
    paragraphs: [
      `Avtalen er sendt til signering. Den trer i kraft når både ${partyLabel(input, 'controller')} og ${partyLabel(input, 'processor')} har signert. Innholdet kan ikke lenger endres.`,
      deadlineSentence(deadline),
    ],
    facts: deadlineFact(deadline),
    actions: signActions(input),
  };
};

const signed: EmailTemplate = (input) => {
  const party = input.details.oneOf('party', ['controller', 'processor'] as const);
  const signedOn = input.details.date('signedOn');
  const status = input.details.oneOf('status', ['AWAITING_SIGNATURES', 'IN_FORCE'] as const);
  const deadline = input.details.date('signatureDeadline');
  const effectiveFrom = input.details.date('effectiveFrom');
  const on = signedOn ? ` ${norwegianDate(signedOn)}` : '';
  const facts: [string, string][] = [
    ...(signedOn ? [['Signert', norwegianDate(signedOn)] as [string, string]] : []),
    ...(status === 'IN_FORCE' && effectiveFrom
      ? [['Gjelder fra', norwegianDate(effectiveFrom)] as [string, string]]
      : []),
    ...(status === 'IN_FORCE' ? [] : deadlineFact(deadline)),
  ];
  if (!party) {
    return {
      headline: 'Avtalen er signert av en part',
      paragraphs: ['En av partene har signert avtalen.'],
      facts,
      actions: [{ text: 'Se signaturene:', call: { method: 'GET', path: input.path() } }],
    };
  }
  if (status === 'IN_FORCE') {
    return {
      headline:
        party === input.recipientRole
          ? 'Dere har signert avtalen, som nå er i kraft'
          : `${input.agreement[party].name} har signert avtalen, som nå er i kraft`,
      paragraphs: [
        `${partyLabel(input, party)} har signert avtalen${on}. Begge parter har nå signert, og avtalen gjelder${effectiveFrom ? ` fra ${norwegianDate(effectiveFrom)}` : ''}. Dere får eget varsel om at avtalen er i kraft.`,
      ],
      facts,
    };
  }
  if (party === input.recipientRole) {
    return {
      headline: 'Dere har signert avtalen',
      paragraphs: [
        `Signaturen til ${partyLabel(input, party)} er registrert${on}.`,
        `Avtalen trer i kraft når også ${partyLabel(input, otherRole(party))} har signert${deadline ? `, innen ${endOfDayDeadline(deadline)}` : ''}. Dere får eget varsel da.`,
      ],
      facts,
    };
  }
  return {
    headline: `${input.agreement[party].name} har signert avtalen`,
    paragraphs: [
      `${partyLabel(input, party)} har signert avtalen${on}.`,
      status === 'AWAITING_SIGNATURES'
        ? `Avtalen venter nå bare på deres signatur. ${deadlineSentence(deadline)}`
        : `Har dere ikke signert ennå, gjør det før signaturfristen${deadline ? ` ${endOfDayDeadline(deadline)}` : ' (feltet signatureDeadline på avtalen)'}. Avtalen trer i kraft når begge parter har signert. Har dere allerede signert, får dere eget varsel om at avtalen er i kraft.`,
    ],
    facts,
    actions: signActions(input),
  };
};

const inForce: EmailTemplate = (input) => {
  const effectiveFrom = input.details.date('effectiveFrom');
  return {
    headline: 'Avtalen er i kraft',
    paragraphs: [
      `Begge parter har signert, og avtalen gjelder${effectiveFrom ? ` fra ${norwegianDate(effectiveFrom)}` : ''}.`,
      input.recipientRole === 'processor'
        ? `Husk: en ny underdatabehandler trenger den behandlingsansvarliges skriftlige forhåndsgodkjenning før den behandler personopplysninger (be om den med POST ${input.url('/sub-processors')}).`
        : 'Databehandleren kan ikke ta i bruk nye underdatabehandlere uten deres skriftlige forhåndsgodkjenning; dere får varsel når den ber om det.',
    ],
    ...(effectiveFrom ? { facts: [['Gjelder fra', norwegianDate(effectiveFrom)]] } : {}),
    actions: [
      {
        text: 'Last ned den signerte avtalen (PDF) til arkivet deres:',
        call: { method: 'GET', path: input.path('/document') },
      },
    ],
  };
};

const cancelled: EmailTemplate = (input) => {
  const by = input.details.oneOf('cancelledBy', ['controller', 'processor'] as const);
  const reason = input.details.text('reason', 2000);
  const who =
    by === input.recipientRole
      ? 'Dere trakk avtalen tilbake'
      : by
        ? `${partyLabel(input, by)} trakk avtalen tilbake`
        : 'Avtalen ble trukket tilbake av parten som opprettet den';
  return {
    headline: 'Avtalen er trukket tilbake',
    paragraphs: [
      `${who} før den trådte i kraft. Den kan ikke lenger signeres, og ingen personopplysninger skal behandles etter den.`,
      ...(reason ? [`Begrunnelse: ${reason}`] : []),
    ],
    actions: [{ text: 'Se historikken:', call: { method: 'GET', path: input.path('/history') } }],
  };
};

const expired: EmailTemplate = (input) => {
  const deadline = input.details.date('signatureDeadline');
  return {
    headline: 'Avtalen ble ikke signert innen fristen',
    paragraphs: [
      `Avtalen ble ikke signert av begge parter innen fristen${deadline ? ` ${endOfDayDeadline(deadline)}` : ''}. Den er utløpt, kan ikke lenger signeres, og ingen personopplysninger skal behandles etter den.`,
      'Skal avtalen likevel inngås, må en ny avtale opprettes og sendes til signering.',
    ],
    facts: deadlineFact(deadline),
    actions: [{ text: 'Opprett en ny avtale:', call: { method: 'POST', path: '/agreements' } }],
  };
};

const signatureMissing: EmailTemplate = (input) => {
  const deadline = input.details.date('signatureDeadline');
  return {
    headline: 'Påminnelse – avtalen mangler deres signatur',
    paragraphs: [
      `Avtalen venter fortsatt på signaturen til ${partyLabel(input, input.recipientRole)}.`,
      deadlineSentence(deadline),
    ],
    facts: deadlineFact(deadline),
    actions: signActions(input),
  };
};

const contactChanged: EmailTemplate = (input) => {
  const party = input.details.oneOf('party', ['controller', 'processor'] as const);
  const contact = input.details.nested('contact');
  const name = contact.text('name', 200);
  const email = contact.text('email', 254);
  const phone = contact.text('phone', 30);
  const who = party ? partyLabel(input, party) : 'Den andre parten';
  return {
    headline: party
      ? `${input.agreement[party].name} har ny kontaktperson`
      : 'Den andre parten har ny kontaktperson',
    paragraphs: [
      `${who} har byttet kontaktperson for avtalen. Skriftlige henvendelser om avtalen går heretter til den nye kontaktpersonen.`,
    ],
    facts: [
      ...(name ? [['Ny kontaktperson', name] as [string, string]] : []),
      ...(email ? [['E-post', email] as [string, string]] : []),
      ...(phone ? [['Telefon', phone] as [string, string]] : []),
    ],
    actions: [],
  };
};

export const AGREEMENT_EMAILS: Record<string, EmailTemplate> = {
  'agreement.awaiting-signatures': awaitingSignatures,
  'agreement.signed': signed,
  'agreement.in-force': inForce,
  'agreement.cancelled': cancelled,
  'agreement.expired': expired,
  'reminder.signature-missing': signatureMissing,
  'contact.changed': contactChanged,
};
