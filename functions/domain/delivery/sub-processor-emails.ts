import {
  countryName,
  type EmailAction,
  type EmailTemplate,
  endOfDayDeadline,
  partyLabel,
  type TemplateInput,
} from './email-message.ts';

/** E-mails of sub-processor requests: only the controller decides, and silence is never approval (rule 7). */

interface SubProcessorRef {
  id: string | undefined;
  /** The sub-processor's name, or `underdatabehandleren` when the details lack it. */
  name: string;
}

function subProcessorOf(input: TemplateInput): SubProcessorRef {
  return {
    id: input.details.id('subProcessorId'),
    name: input.details.text('name', 200) ?? 'underdatabehandleren',
  };
}

const subPath = (input: TemplateInput, sub: SubProcessorRef, suffix = '') =>
  sub.id ? input.path(`/sub-processors/${sub.id}${suffix}`) : input.path('/sub-processors');

function decideActions(input: TemplateInput, sub: SubProcessorRef): EmailAction[] {
  return [
    { text: 'Les forespørselen:', call: { method: 'GET', path: subPath(input, sub) } },
    {
      text: 'Godkjenn eller avslå, med begrunnelse:',
      call: {
        method: 'POST',
        path: subPath(input, sub, '/decision'),
        body: '{"decision": "APPROVED" | "REJECTED", "reason": "…", "signatory": {"name": "…", "title": "…"}}',
      },
    },
  ];
}

const idFacts = (sub: SubProcessorRef): [string, string][] => (sub.id ? [['Forespørsel-id', sub.id]] : []);

/** `Stockholm, Sverige`, or empty when the details lack the processing location. */
function processingLocationOf(input: TemplateInput): string {
  const location = input.details.nested('processingLocation');
  const city = location.text('city', 200);
  const code = location.id('countryCode');
  const country = code && /^[A-Z]{2}$/.test(code) ? countryName(code) : undefined;
  return [city, country].filter(Boolean).join(', ');
}

const locationFacts = (where: string): [string, string][] => (where ? [['Behandlingssted', where]] : []);

const requested: EmailTemplate = (input) => {
  const sub = subProcessorOf(input);
  const where = processingLocationOf(input);
  const deadline = input.details.date('decisionDeadline');
  const facts: [string, string][] = [
    ['Underdatabehandler', sub.name],
    ...locationFacts(where),
    ...(deadline ? [['Frist for beslutning', endOfDayDeadline(deadline)] as [string, string]] : []),
    ...idFacts(sub),
  ];
  const silence = `Kommer det ingen beslutning innen fristen${deadline ? ` ${endOfDayDeadline(deadline)}` : ''}, bortfaller forespørselen: taushet er aldri godkjenning.`;
  if (input.recipientRole === 'processor') {
    return {
      headline: `Forespørsel om underdatabehandler ${sub.name} er sendt`,
      paragraphs: [
        `Forespørselen om å bruke ${sub.name} som underdatabehandler er sendt til ${partyLabel(input, 'controller')}. ${sub.name} kan ikke behandle personopplysninger før den er godkjent.`,
        silence,
      ],
      facts,
      actions: [],
    };
  }
  return {
    headline: `Godkjenning av underdatabehandler ${sub.name} er bedt om`,
    paragraphs: [
      `${partyLabel(input, 'processor')} ber om deres skriftlige forhåndsgodkjenning av ${sub.name} som underdatabehandler${where ? `, med behandling i ${where}` : ''}.`,
      `${sub.name} kan ikke behandle personopplysninger før dere har godkjent den. Bare dere som behandlingsansvarlig kan godkjenne eller avslå. ${silence}`,
    ],
    facts,
    actions: decideActions(input, sub),
  };
};

const approved: EmailTemplate = (input) => {
  const sub = subProcessorOf(input);
  const reason = input.details.text('reason', 2000);
  const processor = input.recipientRole === 'processor';
  return {
    headline: `Underdatabehandler ${sub.name} er godkjent`,
    paragraphs: [
      `${processor ? partyLabel(input, 'controller') : 'Dere'} har godkjent ${sub.name} som underdatabehandler. Den står nå i Vedlegg 3 og kan behandle personopplysninger så lenge avtalen er i kraft og godkjenningen står.`,
      ...(reason ? [`Begrunnelse: ${reason}`] : []),
    ],
    facts: [['Underdatabehandler', sub.name], ...idFacts(sub)],
    actions: processor
      ? [
          {
            text: 'Spør før behandlingen starter om den er tillatt:',
            call: {
              method: 'GET',
              path: input.path(`/processing-authorization${sub.id ? `?subProcessorId=${sub.id}` : ''}`),
            },
          },
        ]
      : [
          {
            text: 'Se Vedlegg 3 slik det står nå:',
            call: { method: 'GET', path: input.path('/sub-processors?status=APPROVED') },
          },
        ],
  };
};

const rejected: EmailTemplate = (input) => {
  const sub = subProcessorOf(input);
  const reason = input.details.text('reason', 2000);
  const processor = input.recipientRole === 'processor';
  return {
    headline: `Underdatabehandler ${sub.name} er avslått`,
    paragraphs: [
      `${processor ? partyLabel(input, 'controller') : 'Dere'} har avslått ${sub.name} som underdatabehandler. ${sub.name} kan ikke behandle personopplysninger etter avtalen.`,
      ...(reason ? [`Begrunnelse: ${reason}`] : []),
    ],
    facts: [['Underdatabehandler', sub.name], ...idFacts(sub)],
    actions: [],
  };
};

const expired: EmailTemplate = (input) => {
  const sub = subProcessorOf(input);
  const processor = input.recipientRole === 'processor';
  return {
    headline: `Underdatabehandler ${sub.name} ble ikke godkjent innen fristen`,
    paragraphs: [
      `Forespørselen om ${sub.name} som underdatabehandler ble ikke besluttet innen fristen, og er bortfalt. Taushet er aldri godkjenning: ${sub.name} kan ikke behandle personopplysninger etter avtalen.`,
    ],
    facts: [['Underdatabehandler', sub.name], ...idFacts(sub)],
    actions: processor
      ? [
          {
            text: 'Trenger dere fortsatt underdatabehandleren, be om godkjenning på nytt:',
            call: { method: 'POST', path: input.path('/sub-processors') },
          },
        ]
      : [],
  };
};

const withdrawn: EmailTemplate = (input) => {
  const sub = subProcessorOf(input);
  const reason = input.details.text('reason', 2000);
  const processor = input.recipientRole === 'processor';
  return {
    headline: `Underdatabehandler ${sub.name} er trukket tilbake`,
    paragraphs: [
      `${processor ? 'Dere' : partyLabel(input, 'processor')} har trukket tilbake ${sub.name} som underdatabehandler. Den er ikke godkjent, og kan ikke behandle personopplysninger etter avtalen.`,
      ...(reason ? [`Begrunnelse: ${reason}`] : []),
    ],
    facts: [['Underdatabehandler', sub.name], ...idFacts(sub)],
    actions: [],
  };
};

const decisionReminder: EmailTemplate = (input) => {
  const sub = subProcessorOf(input);
  const deadline = input.details.date('decisionDeadline');
  const where = processingLocationOf(input);
  return {
    headline: `Påminnelse – underdatabehandler ${sub.name} venter på deres beslutning`,
    paragraphs: [
      `${partyLabel(input, 'processor')} venter fortsatt på deres beslutning om ${sub.name} som underdatabehandler${where ? `, med behandling i ${where}` : ''}.`,
      `Kommer det ingen beslutning innen fristen${deadline ? ` ${endOfDayDeadline(deadline)}` : ''}, bortfaller forespørselen: taushet er aldri godkjenning.`,
    ],
    facts: [
      ['Underdatabehandler', sub.name],
      ...locationFacts(where),
      ...(deadline ? [['Frist for beslutning', endOfDayDeadline(deadline)] as [string, string]] : []),
      ...idFacts(sub),
    ],
    actions: input.recipientRole === 'controller' ? decideActions(input, sub) : [],
  };
};

export const SUB_PROCESSOR_EMAILS: Record<string, EmailTemplate> = {
  'sub-processor.requested': requested,
  'sub-processor.approved': approved,
  'sub-processor.rejected': rejected,
  'sub-processor.expired': expired,
  'sub-processor.withdrawn': withdrawn,
  'reminder.sub-processor-decision': decisionReminder,
};
