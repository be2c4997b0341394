import {
  type EmailAction,
  type EmailTemplate,
  endOfDayDeadline,
  norwegianDate,
  otherRole,
  partyLabel,
  type TemplateInput,
} from './email-message.ts';

/** E-mails of amendments: numbered changes to the content that both parties sign (rule 13, 003 §13). */

/** What an amendment may change (amendments/schemas.ts), as the agreement's own words name it. */
const CHANGE_NAMES = {
  title: 'tittel',
  scope: 'formål og omfang av behandlingen (Vedlegg 1)',
  securityMeasures: 'sikkerhetstiltak (Vedlegg 2)',
  breachNotificationHours: 'frist for å varsle avvik',
  noticePeriodMonths: 'oppsigelsestid',
  cooperationAgreementRef: 'henvisning til samarbeidsavtalen',
} as const;
const CHANGEABLE = Object.keys(CHANGE_NAMES) as (keyof typeof CHANGE_NAMES)[];

interface AmendmentRef {
  id: string | undefined;
  number: number | undefined;
  /** `endring 2` or `endringen`. */
  name: string;
  /** `Endring 2` or `Endringen`. */
  Name: string;
}

function amendmentOf(input: TemplateInput): AmendmentRef {
  const id = input.details.id('amendmentId');
  const number = input.details.int('number');
  return {
    id,
    number,
    name: number ? `endring ${number}` : 'endringen',
    Name: number ? `Endring ${number}` : 'Endringen',
  };
}

const amendmentPath = (input: TemplateInput, amendment: AmendmentRef, suffix = '') =>
  amendment.id ? input.path(`/amendments/${amendment.id}${suffix}`) : input.path('/amendments');

function signActions(
  input: TemplateInput,
  amendment: AmendmentRef,
  contentHash: string | undefined,
): EmailAction[] {
  return [
    { text: `Les ${amendment.name}:`, call: { method: 'GET', path: amendmentPath(input, amendment) } },
    {
      text: `Signer ${amendment.name} for ${input.agreement[input.recipientRole].name}:`,
      call: {
        method: 'POST',
        path: amendmentPath(input, amendment, '/signatures'),
        body: `{"signatory": {"name": "…", "title": "…"}, "place": "…", "contentHash": "${contentHash ?? '<contentHash fra GET-kallet over>'}"}`,
      },
    },
  ];
}

const idFacts = (amendment: AmendmentRef): [string, string][] =>
  amendment.id ? [['Endrings-id', amendment.id]] : [];

const proposed: EmailTemplate = (input) => {
  const amendment = amendmentOf(input);
  const proposedBy = input.details.oneOf('proposedBy', ['controller', 'processor'] as const);
  const changes = input.details.listOf('changes', CHANGEABLE).map((field) => CHANGE_NAMES[field]);
  const contentHash = input.details.id('contentHash');
  const deadline = input.details.date('signatureDeadline');
  const mine = proposedBy === input.recipientRole;
  return {
    headline: `${amendment.Name} av avtalen er foreslått`,
    paragraphs: [
      `${mine ? 'Dere' : proposedBy ? partyLabel(input, proposedBy) : 'En av partene'} har foreslått ${amendment.name} av avtalen${changes.length > 0 ? `. Den endrer ${changes.join(', ')}` : ''}.`,
      `${amendment.Name} gjelder først når begge parter har signert${deadline ? `, og fristen for signatur er ${endOfDayDeadline(deadline)}` : ''}. Blir den ikke signert av begge innen fristen, bortfaller den, og avtalen gjelder uendret.`,
    ],
    facts: [
      ...(deadline ? [['Signaturfrist', endOfDayDeadline(deadline)] as [string, string]] : []),
      ...idFacts(amendment),
      ...(contentHash ? [['contentHash', contentHash] as [string, string]] : []),
    ],
    actions: [
      ...signActions(input, amendment, contentHash),
      ...(mine && amendment.id
        ? [
            {
              text: 'Trekk forslaget tilbake, om dere ikke lenger ønsker det:',
              call: {
                method: 'POST' as const,
                path: amendmentPath(input, amendment, '/withdraw'),
                body: '{"reason": "…"}',
              },
            },
          ]
        : []),
    ],
  };
};

const signed: EmailTemplate = (input) => {
  const amendment = amendmentOf(input);
  const party = input.details.oneOf('party', ['controller', 'processor'] as const);
  const status = input.details.oneOf('status', ['AWAITING_SIGNATURES', 'SIGNED', 'IN_FORCE'] as const);
  const signedOn = input.details.date('signedOn');
  const contentHash = input.details.id('contentHash');
  const deadline = input.details.date('signatureDeadline');
  const effectiveFrom = input.details.date('effectiveFrom');
  const from = effectiveFrom ? ` fra ${norwegianDate(effectiveFrom)}` : '';
  const mine = party === input.recipientRole;
  const who = mine ? 'Dere' : party ? partyLabel(input, party) : 'En av partene';
  const byDeadline = deadline ? ` innen ${endOfDayDeadline(deadline)}` : '';
  const next =
    status === 'SIGNED'
      ? `Begge parter har nå signert. ${amendment.Name} gjelder${from || ' fra den avtalte datoen'}; dere får eget varsel da.`
      : status === 'IN_FORCE'
        ? `Begge parter har nå signert, og ${amendment.name} gjelder${from}. Dere får eget varsel med avtalens nye versjon.`
        : mine && party
          ? `${amendment.Name} gjelder når også ${partyLabel(input, otherRole(party))} har signert${byDeadline}. Blir den ikke signert av begge innen fristen, bortfaller den.`
          : deadline
            ? `${amendment.Name} venter på deres signatur. Fristen for signatur er ${endOfDayDeadline(deadline)}; blir den ikke signert av begge innen da, bortfaller den.`
            : `${amendment.Name} venter på deres signatur, innen fristen for signatur (feltet signatureDeadline på endringen).`;
  const mustSign = status === 'AWAITING_SIGNATURES' && !mine;
  const open = status === 'AWAITING_SIGNATURES';
  return {
    headline: mine ? `Dere har signert ${amendment.name}` : `${amendment.Name} er signert av motparten`,
    paragraphs: [
      `${who} har signert ${amendment.name} av avtalen${signedOn ? ` ${norwegianDate(signedOn)}` : ''}.`,
      next,
    ],
    facts: [
      ...(signedOn ? [['Signert', norwegianDate(signedOn)] as [string, string]] : []),
      ...(open && deadline ? [['Signaturfrist', endOfDayDeadline(deadline)] as [string, string]] : []),
      ...(!open && effectiveFrom ? [['Gjelder fra', norwegianDate(effectiveFrom)] as [string, string]] : []),
      ...idFacts(amendment),
      ...(mustSign && contentHash ? [['contentHash', contentHash] as [string, string]] : []),
    ],
    actions: mustSign ? signActions(input, amendment, contentHash) : [],
  };
};

const inForce: EmailTemplate = (input) => {
  const amendment = amendmentOf(input);
  const version = input.details.int('version');
  const effectiveFrom = input.details.date('effectiveFrom');
  const contentHash = input.details.id('contentHash');
  return {
    headline: `${amendment.Name} gjelder${effectiveFrom ? ` fra ${norwegianDate(effectiveFrom)}` : ''}`,
    paragraphs: [
      `Begge parter har signert ${amendment.name}, og den gjelder${effectiveFrom ? ` fra ${norwegianDate(effectiveFrom)}` : ''}.${version ? ` Avtalens innhold er nå versjon ${version}.` : ''}`,
    ],
    facts: [
      ...(effectiveFrom ? [['Gjelder fra', norwegianDate(effectiveFrom)] as [string, string]] : []),
      ...(version ? [['Innholdsversjon', String(version)] as [string, string]] : []),
      ...(contentHash ? [['contentHash', contentHash] as [string, string]] : []),
      ...idFacts(amendment),
    ],
    actions: version
      ? [
          {
            text: 'Last ned avtalen slik den nå lyder (PDF) til arkivet deres:',
            call: { method: 'GET', path: input.path(`/document?version=${version}`) },
          },
          { text: 'Se versjonen:', call: { method: 'GET', path: input.path(`/versions/${version}`) } },
        ]
      : [{ text: 'Se avtalen slik den nå lyder:', call: { method: 'GET', path: input.path() } }],
  };
};

const withdrawn: EmailTemplate = (input) => {
  const amendment = amendmentOf(input);
  const by = input.details.oneOf('withdrawnBy', ['controller', 'processor'] as const);
  const reason = input.details.text('reason', 2000);
  const who = by === input.recipientRole ? 'dere' : by ? partyLabel(input, by) : 'parten som foreslo det';
  return {
    headline: `${amendment.Name} er trukket tilbake`,
    paragraphs: [
      `Forslaget om ${amendment.name} av avtalen er trukket tilbake av ${who}, og kan ikke lenger signeres. Avtalen gjelder uendret.`,
      ...(reason ? [`Begrunnelse: ${reason}`] : []),
    ],
    facts: idFacts(amendment),
    actions: [],
  };
};

const expired: EmailTemplate = (input) => {
  const amendment = amendmentOf(input);
  const because = input.details.oneOf('because', ['SIGNATURE_DEADLINE', 'AGREEMENT_TERMINATED'] as const);
  const deadline = input.details.date('signatureDeadline');
  const why =
    because === 'SIGNATURE_DEADLINE'
      ? `Den ble ikke signert av begge parter innen fristen${deadline ? ` ${endOfDayDeadline(deadline)}` : ''}.`
      : because === 'AGREEMENT_TERMINATED'
        ? 'Avtalen opphørte før endringen trådte i kraft.'
        : '';
  return {
    headline: `${amendment.Name} er bortfalt`,
    paragraphs: [
      [`${amendment.Name} av avtalen er bortfalt.`, why, 'Avtalen gjelder uendret.']
        .filter(Boolean)
        .join(' '),
    ],
    facts: [
      ...(because === 'SIGNATURE_DEADLINE' && deadline
        ? [['Signaturfrist', endOfDayDeadline(deadline)] as [string, string]]
        : []),
      ...idFacts(amendment),
    ],
    actions:
      because === 'SIGNATURE_DEADLINE'
        ? [
            {
              text: 'Ønsker dere fortsatt endringen, kan den foreslås på nytt:',
              call: { method: 'POST', path: input.path('/amendments') },
            },
          ]
        : [],
  };
};

const signatureMissing: EmailTemplate = (input) => {
  const amendment = amendmentOf(input);
  const contentHash = input.details.id('contentHash');
  const deadline = input.details.date('signatureDeadline');
  return {
    headline: `Påminnelse – ${amendment.name} mangler deres signatur`,
    paragraphs: [
      `${amendment.Name} av avtalen venter fortsatt på signaturen til ${partyLabel(input, input.recipientRole)}.`,
      deadline
        ? `Fristen for signatur er ${endOfDayDeadline(deadline)}. Blir den ikke signert av begge innen da, bortfaller den.`
        : 'Blir den ikke signert av begge innen fristen (feltet signatureDeadline på endringen), bortfaller den.',
    ],
    facts: [
      ...(deadline ? [['Signaturfrist', endOfDayDeadline(deadline)] as [string, string]] : []),
      ...idFacts(amendment),
    ],
    actions: signActions(input, amendment, contentHash),
  };
};

export const AMENDMENT_EMAILS: Record<string, EmailTemplate> = {
  'amendment.proposed': proposed,
  'amendment.signed': signed,
  'amendment.in-force': inForce,
  'amendment.withdrawn': withdrawn,
  'amendment.expired': expired,
  'reminder.amendment-signature-missing': signatureMissing,
};
