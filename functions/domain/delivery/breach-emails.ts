import { type EmailTemplate, osloTime, partyLabel } from './email-message.ts';

/**
 * E-mails of personal data breaches (rule 9, 003 §10, GDPR Art. 33): the controller learns of the breach
 * and of its own 72-hour deadline towards Datatilsynet; the processor gets its receipt.
 */

const reported: EmailTemplate = (input) => {
  const breachId = input.details.id('breachId');
  const becameAwareAt = input.details.instant('becameAwareAt');
  const reportedAt = input.details.instant('reportedAt');
  const notificationDeadline = input.details.instant('notificationDeadline');
  const reportedLate = input.details.flag('reportedLate');
  const authorityDeadline = input.details.instant('supervisoryAuthorityDeadline');
  const timeliness =
    reportedLate === true
      ? `Meldingen kom etter den avtalte fristen${notificationDeadline ? ` (${osloTime(notificationDeadline)})` : ''}.`
      : reportedLate === false
        ? 'Meldingen kom innen den avtalte fristen.'
        : '';
  const byController = input.details.text('reporter') === 'controller';
  const outsideScope = input.details.texts('outsideScope');
  const facts: [string, string][] = [
    ...(becameAwareAt
      ? [
          [
            byController
              ? 'Den behandlingsansvarlige ble kjent med avviket'
              : 'Databehandleren ble kjent med avviket',
            osloTime(becameAwareAt),
          ] as [string, string],
        ]
      : []),
    ...(reportedAt ? [['Meldt', osloTime(reportedAt)] as [string, string]] : []),
    ...(notificationDeadline
      ? [['Avtalt frist for databehandlerens melding', osloTime(notificationDeadline)] as [string, string]]
      : []),
    ...(authorityDeadline
      ? [['Frist for melding til Datatilsynet', osloTime(authorityDeadline)] as [string, string]]
      : []),
    ...(outsideScope ? [['Opplysninger utenfor avtalens omfang', outsideScope] as [string, string]] : []),
    ...(breachId ? [['Avvik-id', breachId] as [string, string]] : []),
  ];
  const read = {
    text: 'Les avviksmeldingen:',
    call: {
      method: 'GET' as const,
      path: breachId ? input.path(`/breaches/${breachId}`) : input.path('/breaches'),
    },
  };
  if (byController && input.recipientRole === 'processor') {
    return {
      headline: 'Avvik meldt av den behandlingsansvarlige',
      paragraphs: [
        `${partyLabel(input, 'controller')} har meldt et brudd på personopplysningssikkerheten (avvik) som dere som databehandler skal hjelpe til med å begrense og rydde opp i (avtalen punkt 14).`,
        'Les meldingen, svar på spørsmålene den behandlingsansvarlige stiller, og meld fra om tiltak dere setter i verk.',
      ],
      facts,
      actions: [read],
    };
  }
  if (byController) {
    return {
      headline: 'Avviksmeldingen deres er registrert',
      paragraphs: [
        `Meldingen om avviket er registrert og sendt til ${partyLabel(input, 'processor')}.`,
        `Dere melder avviket til Datatilsynet uten ugrunnet opphold og senest 72 timer etter at dere ble kjent med det${authorityDeadline ? `, det vil si innen ${osloTime(authorityDeadline)}` : ''} (personvernforordningen artikkel 33), med mindre det er usannsynlig at det medfører en risiko for de registrertes rettigheter og friheter, og informerer de registrerte når det kreves (artikkel 34).`,
      ],
      facts,
      actions: [read],
    };
  }
  if (input.recipientRole === 'processor') {
    return {
      headline: 'Avviksmeldingen deres er levert til den behandlingsansvarlige',
      paragraphs: [
        `Meldingen om brudd på personopplysningssikkerheten (avvik) er levert til ${partyLabel(input, 'controller')}. ${timeliness}`.trim(),
        'Det er den behandlingsansvarlige som melder avviket til Datatilsynet og informerer de registrerte. Gi den behandlingsansvarlige de opplysningene den ber om, og meld fra om tiltak og nye opplysninger.',
      ],
      facts,
      actions: [],
    };
  }
  return {
    headline: 'Avvik meldt av databehandleren',
    paragraphs: [
      `${partyLabel(input, 'processor')} har meldt et brudd på personopplysningssikkerheten (avvik). ${timeliness}`.trim(),
      `Bare dere som behandlingsansvarlig melder avviket til Datatilsynet, uten ugrunnet opphold og senest 72 timer etter at dere ble kjent med det, det vil si fra meldingen kom${authorityDeadline ? `, det vil si innen ${osloTime(authorityDeadline)}` : ''} (personvernforordningen artikkel 33), med mindre det er usannsynlig at det medfører en risiko for de registrertes rettigheter og friheter. Dere informerer også de registrerte når det kreves (artikkel 34).`,
    ],
    facts,
    actions: [read],
  };
};

/** To the processor: what the controller decided on Datatilsynet and the data subjects (rule 16). */
const decided: EmailTemplate = (input) => {
  const breachId = input.details.id('breachId');
  const notified = input.details.flag('datatilsynetNotified');
  const notifiedAt = input.details.instant('notifiedAt');
  const informed = input.details.flag('dataSubjectsInformed');
  const decidedAt = input.details.instant('decidedAt');
  const late = input.details.flag('late');
  const facts: [string, string][] = [
    [
      'Datatilsynet',
      notified === true ? `varslet${notifiedAt ? ` ${osloTime(notifiedAt)}` : ''}` : 'ikke varslet',
    ],
    ['De registrerte', informed === true ? 'informert' : 'ikke informert'],
    ...(decidedAt ? [['Besluttet', osloTime(decidedAt)] as [string, string]] : []),
    ...(breachId ? [['Avvik-id', breachId] as [string, string]] : []),
  ];
  return {
    headline: 'Den behandlingsansvarlige har besluttet om avviket skal meldes',
    paragraphs: [
      `${partyLabel(input, 'controller')} har registrert sin beslutning om melding til Datatilsynet og informasjon til de registrerte${late === true ? ', etter 72-timersfristen og med begrunnelse for forsinkelsen' : ''}.`,
    ],
    facts,
    actions: [
      {
        text: 'Les avviket med beslutningen:',
        call: {
          method: 'GET',
          path: breachId ? input.path(`/breaches/${breachId}`) : input.path('/breaches'),
        },
      },
    ],
  };
};

/** To the other party: the reporting party has supplemented its report (rule 16). */
const updated: EmailTemplate = (input) => {
  const breachId = input.details.id('breachId');
  const number = input.details.int('number');
  const outsideScope = input.details.texts('outsideScope');
  const reporter = input.recipientRole === 'controller' ? 'processor' : 'controller';
  const facts: [string, string][] = [
    ...(number ? [['Tillegg nr.', String(number)] as [string, string]] : []),
    ...(outsideScope ? [['Opplysninger utenfor avtalens omfang', outsideScope] as [string, string]] : []),
    ...(breachId ? [['Avvik-id', breachId] as [string, string]] : []),
  ];
  return {
    headline: 'Tillegg til avviksmeldingen',
    paragraphs: [
      `${partyLabel(input, reporter)} har lagt til nye opplysninger, tiltak eller rettelser i meldingen om brudd på personopplysningssikkerheten (avvik).`,
    ],
    facts,
    actions: [
      {
        text: 'Les avviket med tilleggene:',
        call: {
          method: 'GET',
          path: breachId ? input.path(`/breaches/${breachId}`) : input.path('/breaches'),
        },
      },
    ],
  };
};

/** A question about a breach to the party that reported it, or its answer to the one that asked. */
const questionOrAnswer =
  (answered: boolean): EmailTemplate =>
  (input) => {
    const breachId = input.details.id('breachId');
    const number = input.details.int('question');
    const other = input.recipientRole === 'controller' ? 'processor' : 'controller';
    return {
      headline: answered ? 'Spørsmålet om avviket er besvart' : 'Spørsmål om avviksmeldingen deres',
      paragraphs: [
        answered
          ? `${partyLabel(input, other)} har svart på spørsmålet deres om bruddet på personopplysningssikkerheten (avvik).`
          : `${partyLabel(input, other)} har et spørsmål om meldingen deres om brudd på personopplysningssikkerheten (avvik). Svar så snart dere kan.`,
      ],
      facts: [
        ...(number ? [['Spørsmål nr.', String(number)] as [string, string]] : []),
        ...(breachId ? [['Avvik-id', breachId] as [string, string]] : []),
      ],
      actions: [
        {
          text: answered ? 'Les svaret:' : 'Les spørsmålet:',
          call: {
            method: 'GET',
            path: breachId ? input.path(`/breaches/${breachId}`) : input.path('/breaches'),
          },
        },
      ],
    };
  };

/** The marks of the controller's 72 hours: reminders (24, 48), the escalation (66) and the deadline (72). */
const deadlineMark =
  (kind: 'reminder' | 'escalation' | 'passed'): EmailTemplate =>
  (input) => {
    const breachId = input.details.id('breachId');
    const deadline = input.details.instant('supervisoryAuthorityDeadline');
    const controller = input.recipientRole === 'controller';
    const by = deadline ? ` innen ${osloTime(deadline)}` : '';
    const paragraph = {
      reminder: `Dere har ennå ikke registrert om avviket er meldt til Datatilsynet. Fristen er 72 timer etter at dere ble kjent med det${by} (personvernforordningen artikkel 33).`,
      escalation: controller
        ? `Det gjenstår seks timer av fristen for å melde avviket til Datatilsynet${by}, og ingen beslutning er registrert.`
        : `Det gjenstår seks timer av den behandlingsansvarliges frist for å melde avviket til Datatilsynet${by}, og ingen beslutning er registrert.`,
      passed: controller
        ? 'Fristen på 72 timer for å melde avviket til Datatilsynet er passert uten registrert beslutning. En melding nå må begrunne forsinkelsen (artikkel 33 nr. 1).'
        : 'Den behandlingsansvarliges frist på 72 timer for å melde avviket til Datatilsynet er passert uten registrert beslutning.',
    }[kind];
    return {
      headline: {
        reminder: 'Påminnelse: beslutning om melding av avvik til Datatilsynet',
        escalation: 'Seks timer igjen av fristen for å melde avviket',
        passed: 'Fristen for å melde avviket til Datatilsynet er passert',
      }[kind],
      paragraphs: [paragraph],
      facts: [
        ...(deadline ? [['Frist for melding til Datatilsynet', osloTime(deadline)] as [string, string]] : []),
        ...(breachId ? [['Avvik-id', breachId] as [string, string]] : []),
      ],
      actions:
        controller && breachId
          ? [
              {
                text: 'Registrer beslutningen:',
                call: { method: 'POST', path: input.path(`/breaches/${breachId}/decision`) },
              },
            ]
          : [],
    };
  };

export const BREACH_EMAILS: Record<string, EmailTemplate> = {
  'reminder.breach-decision': deadlineMark('reminder'),
  'escalation.breach-decision': deadlineMark('escalation'),
  'breach.deadline-passed': deadlineMark('passed'),
  'breach.question': questionOrAnswer(false),
  'breach.answered': questionOrAnswer(true),
  'breach.updated': updated,
  'breach.reported': reported,
  'breach.decided': decided,
};
