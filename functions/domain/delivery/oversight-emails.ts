import { type EmailTemplate, endOfDayDeadline, partyLabel, type TemplateInput } from './email-message.ts';

/**
 * E-mails of oversight audits (rule 16, 003 §11): the plan, the processor's material, findings and
 * their closing, the conclusion, and the reminders before and after due dates. Dates are Oslo days.
 */

const TYPE_TEXT: Record<string, string> = {
  DOCUMENT_REVIEW: 'dokumentgjennomgang',
  ON_SITE: 'stedlig tilsyn',
  THIRD_PARTY_REPORT: 'revisjonsrapport fra tredjepart',
};

const RESPONSIBLE = ['controller', 'processor'] as const;

function auditOf(input: TemplateInput) {
  const auditId = input.details.id('auditId');
  const type = input.details.oneOf('type', Object.keys(TYPE_TEXT));
  const dueOn = input.details.date('dueOn');
  const read = {
    text: 'Les tilsynet:',
    call: {
      method: 'GET' as const,
      path: auditId ? input.path(`/audits/${auditId}`) : input.path('/audits'),
    },
  };
  const facts: [string, string][] = [
    ...(type ? [['Type tilsyn', TYPE_TEXT[type]!] as [string, string]] : []),
    ...(dueOn ? [['Frist for tilsynet', endOfDayDeadline(dueOn)] as [string, string]] : []),
    ...(auditId ? [['Tilsyn-id', auditId] as [string, string]] : []),
  ];
  return { auditId, dueOn, read, facts };
}

function findingOf(input: TemplateInput) {
  const number = input.details.int('number');
  const deadline = input.details.date('deadline');
  const responsible = input.details.oneOf('responsible', RESPONSIBLE);
  const facts: [string, string][] = [
    ...(number ? [['Funn nr.', String(number)] as [string, string]] : []),
    ...(deadline ? [['Frist for å lukke funnet', endOfDayDeadline(deadline)] as [string, string]] : []),
    ...(responsible ? [['Ansvarlig for å lukke', partyLabel(input, responsible)] as [string, string]] : []),
  ];
  return { number, deadline, responsible, facts };
}

const planned: EmailTemplate = (input) => {
  const audit = auditOf(input);
  const every = input.details.int('everyMonths');
  return {
    headline: 'Tilsyn er planlagt',
    paragraphs: [
      `${partyLabel(input, 'controller')} har planlagt tilsyn med dere som databehandler (avtalen punkt 11).`,
      'Send inn materialet tilsynet trenger – dokumenter med SHA-256, eller et sammendrag av en revisjonsrapport fra tredjepart – før fristen.',
      ...(every ? [`Tilsynet gjentas hver ${every}. måned: det neste planlegges når dette avsluttes.`] : []),
    ],
    facts: audit.facts,
    actions: [
      audit.read,
      ...(audit.auditId
        ? [
            {
              text: 'Send inn materiale:',
              call: { method: 'POST' as const, path: input.path(`/audits/${audit.auditId}/material`) },
            },
          ]
        : []),
    ],
  };
};

const materialSubmitted: EmailTemplate = (input) => {
  const audit = auditOf(input);
  const documents = input.details.int('documents');
  const report = input.details.flag('thirdPartyReport');
  return {
    headline: 'Materiale til tilsynet er sendt inn',
    paragraphs: [
      `${partyLabel(input, 'processor')} har sendt inn materiale til tilsynet${documents ? ` (${documents} dokument${documents === 1 ? '' : 'er'})` : ''}${report ? ', med sammendrag av en revisjonsrapport fra tredjepart' : ''}.`,
      'Gå gjennom materialet, registrer eventuelle funn med frist og ansvarlig part, og avslutt tilsynet med deres konklusjon.',
    ],
    facts: audit.facts,
    actions: [audit.read],
  };
};

const findingRecorded: EmailTemplate = (input) => {
  const audit = auditOf(input);
  const finding = findingOf(input);
  const ours = finding.responsible === input.recipientRole;
  return {
    headline: `Funn${finding.number ? ` nr. ${finding.number}` : ''} fra tilsynet`,
    paragraphs: [
      `${partyLabel(input, 'controller')} har registrert et funn fra tilsynet.`,
      ours
        ? `Dere er ansvarlige for å lukke det${finding.deadline ? ` innen ${endOfDayDeadline(finding.deadline)}` : ''}, og registrerer hvordan det ble lukket.`
        : 'Den ansvarlige parten registrerer hvordan funnet ble lukket.',
    ],
    facts: [...finding.facts, ...audit.facts],
    actions: [
      audit.read,
      ...(ours && audit.auditId && finding.number
        ? [
            {
              text: 'Registrer hvordan funnet ble lukket:',
              call: {
                method: 'POST' as const,
                path: input.path(`/audits/${audit.auditId}/findings/${finding.number}/closure`),
              },
            },
          ]
        : []),
    ],
  };
};

const findingClosed: EmailTemplate = (input) => {
  const audit = auditOf(input);
  const finding = findingOf(input);
  const closedOn = input.details.date('closedOn');
  const late = input.details.flag('closedLate');
  const open = input.details.int('openFindings');
  return {
    headline: `Funn${finding.number ? ` nr. ${finding.number}` : ''} fra tilsynet er lukket`,
    paragraphs: [
      `Den ansvarlige parten har registrert hvordan funnet ble lukket${late ? ', etter fristen' : ''}.`,
      ...(open !== undefined ? [`Åpne funn igjen i tilsynet: ${open}.`] : []),
    ],
    facts: [
      ...finding.facts,
      ...(closedOn ? [['Lukket', closedOn.split('-').reverse().join('.')] as [string, string]] : []),
      ...audit.facts,
    ],
    actions: [audit.read],
  };
};

const closed: EmailTemplate = (input) => {
  const audit = auditOf(input);
  const nextDueOn = input.details.date('nextDueOn');
  return {
    headline: 'Tilsynet er avsluttet',
    paragraphs: [
      `${partyLabel(input, 'controller')} har avsluttet tilsynet med sin konklusjon.`,
      ...(nextDueOn ? [`Neste tilsyn i planen har frist ${endOfDayDeadline(nextDueOn)}.`] : []),
    ],
    facts: audit.facts,
    actions: [audit.read],
  };
};

const dueReminder =
  (overdue: boolean): EmailTemplate =>
  (input) => {
    const audit = auditOf(input);
    const status = input.details.oneOf('status', ['PLANNED', 'MATERIAL_SUBMITTED'] as const);
    const toProcessor = input.recipientRole === 'processor';
    const task =
      status === 'PLANNED'
        ? toProcessor
          ? 'Dere har ikke sendt inn materiale ennå.'
          : `${partyLabel(input, 'processor')} har ikke sendt inn materiale ennå.`
        : toProcessor
          ? 'Materialet er sendt inn; tilsynet venter på konklusjonen fra den behandlingsansvarlige.'
          : 'Materialet er sendt inn; registrer funn og avslutt tilsynet med deres konklusjon.';
    return {
      headline: overdue
        ? 'Påminnelse – fristen for tilsynet er passert'
        : 'Påminnelse – tilsyn nærmer seg fristen',
      paragraphs: [
        overdue
          ? `Fristen for tilsynet${audit.dueOn ? ` (${endOfDayDeadline(audit.dueOn)})` : ''} er passert, og tilsynet er ikke avsluttet.`
          : `Tilsynet har frist ${audit.dueOn ? endOfDayDeadline(audit.dueOn) : 'snart'}.`,
        task,
      ],
      facts: audit.facts,
      actions: [audit.read],
    };
  };

const findingReminder =
  (overdue: boolean): EmailTemplate =>
  (input) => {
    const audit = auditOf(input);
    const finding = findingOf(input);
    const ours = finding.responsible === input.recipientRole;
    return {
      headline: overdue
        ? `Påminnelse – funn${finding.number ? ` nr. ${finding.number}` : ''} fra tilsynet er over fristen`
        : `Påminnelse – funn${finding.number ? ` nr. ${finding.number}` : ''} fra tilsynet skal lukkes`,
      paragraphs: [
        overdue
          ? `Funnet skulle vært lukket${finding.deadline ? ` innen ${endOfDayDeadline(finding.deadline)}` : ''}, og er fortsatt åpent.`
          : `Funnet skal lukkes${finding.deadline ? ` innen ${endOfDayDeadline(finding.deadline)}` : ''}.`,
        ours
          ? 'Dere er ansvarlige: registrer hvordan funnet ble lukket.'
          : `${finding.responsible ? partyLabel(input, finding.responsible) : 'Den ansvarlige parten'} er ansvarlig for å lukke det.`,
      ],
      facts: [...finding.facts, ...audit.facts],
      actions: [
        audit.read,
        ...(ours && audit.auditId && finding.number
          ? [
              {
                text: 'Registrer hvordan funnet ble lukket:',
                call: {
                  method: 'POST' as const,
                  path: input.path(`/audits/${audit.auditId}/findings/${finding.number}/closure`),
                },
              },
            ]
          : []),
      ],
    };
  };

export const OVERSIGHT_EMAILS: Record<string, EmailTemplate> = {
  'oversight.planned': planned,
  'oversight.material-submitted': materialSubmitted,
  'oversight.finding-recorded': findingRecorded,
  'oversight.finding-closed': findingClosed,
  'oversight.closed': closed,
  'reminder.oversight-due': dueReminder(false),
  'reminder.oversight-overdue': dueReminder(true),
  'reminder.oversight-finding-due': findingReminder(false),
  'reminder.oversight-finding-overdue': findingReminder(true),
};
