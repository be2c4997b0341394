import {
  type EmailTemplate,
  endOfDayDeadline,
  norwegianDate,
  osloTime,
  partyLabel,
} from './email-message.ts';

/**
 * E-mails of requests forwarded to the controller (rule 16, 003 §5, 000 §11, GDPR Art. 12(3)): the
 * controller learns of the request and its deadline to answer, the processor of the tasks it is asked
 * to do; reminders before the deadline, when it has passed, and when a task is overdue. What was asked
 * is never in an e-mail: it is read with the API.
 */

const RIGHTS = {
  ACCESS: 'innsyn (artikkel 15)',
  RECTIFICATION: 'retting (artikkel 16)',
  ERASURE: 'sletting (artikkel 17)',
  RESTRICTION: 'begrensning av behandlingen (artikkel 18)',
  PORTABILITY: 'dataportabilitet (artikkel 20)',
  OBJECTION: 'protest (artikkel 21)',
} as const;
const RIGHT_KEYS = Object.keys(RIGHTS) as (keyof typeof RIGHTS)[];

const OUTCOMES = {
  ANSWERED: 'besvart',
  PARTLY_ANSWERED: 'delvis imøtekommet',
  REFUSED: 'avslått',
} as const;

type Input = Parameters<EmailTemplate>[0];

/** `En registrert ber om sletting (artikkel 17)`, `Datatilsynet har sendt en henvendelse`. */
function whatText(input: Input): string {
  if (input.details.text('from') === 'DATATILSYNET') return 'Datatilsynet har sendt en henvendelse';
  const kind = input.details.oneOf('kind', RIGHT_KEYS);
  return kind ? `En registrert ber om ${RIGHTS[kind]}` : 'En registrert har sendt en henvendelse';
}

const requestPath = (input: Input, suffix = '') => {
  const id = input.details.id('requestId');
  return id ? input.path(`/requests/${id}${suffix}`) : input.path('/requests');
};

const idFact = (input: Input): [string, string][] => {
  const id = input.details.id('requestId');
  return id ? [['Henvendelse-id', id]] : [];
};

const deadlineFact = (input: Input, key = 'answerDeadline'): [string, string][] => {
  const deadline = input.details.date(key);
  return deadline ? [['Svarfrist', endOfDayDeadline(deadline)]] : [];
};

const read = (input: Input) => ({
  text: 'Les henvendelsen:',
  call: { method: 'GET' as const, path: requestPath(input) },
});

/** To the controller: a request it must answer, and by when. */
const forwarded: EmailTemplate = (input) => {
  const receivedAt = input.details.instant('receivedAt');
  const after = input.details.int('forwardedAfterDays');
  const fromDatatilsynet = input.details.text('from') === 'DATATILSYNET';
  return {
    headline: 'Henvendelse videresendt fra databehandleren',
    paragraphs: [
      `${partyLabel(input, 'processor')} har mottatt en henvendelse som dere som behandlingsansvarlig skal besvare, og har videresendt den (avtalen punkt 5). ${whatText(input)}.`,
      fromDatatilsynet
        ? 'Svarfristen er den Datatilsynet har satt.'
        : 'Dere skal svare den registrerte uten ugrunnet opphold og senest innen en måned etter at henvendelsen ble mottatt. Fristen kan forlenges med inntil to måneder når det er nødvendig; den registrerte skal i så fall få beskjed om forlengelsen og årsaken innen en måned (personvernforordningen artikkel 12 nr. 3).',
      'Trenger dere bistand fra databehandleren, be om det som en oppgave med frist.',
    ],
    facts: [
      ...(receivedAt ? [['Mottatt av databehandleren', osloTime(receivedAt)] as [string, string]] : []),
      ...(after !== undefined && after > 0
        ? [['Videresendt', `${after} ${after === 1 ? 'dag' : 'dager'} etter mottak`] as [string, string]]
        : []),
      ...deadlineFact(input),
      ...idFact(input),
    ],
    actions: [
      read(input),
      {
        text: 'Be databehandleren om bistand:',
        call: { method: 'POST', path: requestPath(input, '/tasks') },
      },
      { text: 'Registrer svaret:', call: { method: 'POST', path: requestPath(input, '/outcome') } },
    ],
  };
};

/** To the processor: the controller extended its deadline. */
const extended: EmailTemplate = (input) => {
  const months = input.details.int('months');
  const previous = input.details.date('previousDeadline');
  return {
    headline: 'Svarfristen for en henvendelse er forlenget',
    paragraphs: [
      `${partyLabel(input, 'controller')} har forlenget fristen for å svare på en henvendelse dere videresendte${months ? ` med ${months} ${months === 1 ? 'måned' : 'måneder'}` : ''} (personvernforordningen artikkel 12 nr. 3).`,
    ],
    facts: [
      ...(previous ? [['Opprinnelig frist', norwegianDate(previous)] as [string, string]] : []),
      ...deadlineFact(input),
      ...idFact(input),
    ],
    actions: [read(input)],
  };
};

/** To the processor: the controller asks for assistance by a day. */
const taskAssigned: EmailTemplate = (input) => {
  const task = input.details.int('task');
  const dueOn = input.details.date('dueOn');
  return {
    headline: 'Behandlingsansvarlig ber om bistand med en henvendelse',
    paragraphs: [
      `${partyLabel(input, 'controller')} ber dere om bistand med en henvendelse dere videresendte (avtalen punkt 5). Les oppgaven og meld den utført når den er gjort.`,
    ],
    facts: [
      ...(task ? [['Oppgave nr.', String(task)] as [string, string]] : []),
      ...(dueOn ? [['Frist for oppgaven', endOfDayDeadline(dueOn)] as [string, string]] : []),
      ...idFact(input),
    ],
    actions: [
      read(input),
      ...(task
        ? [
            {
              text: 'Meld oppgaven utført:',
              call: { method: 'POST' as const, path: requestPath(input, `/tasks/${task}/done`) },
            },
          ]
        : []),
    ],
  };
};

/** To the controller: the processor did a task. */
const taskDone: EmailTemplate = (input) => {
  const task = input.details.int('task');
  const doneAt = input.details.instant('doneAt');
  const late = input.details.flag('late');
  return {
    headline: 'Databehandleren har utført en oppgave',
    paragraphs: [
      `${partyLabel(input, 'processor')} har meldt utført en oppgave dere ba om bistand med${late === true ? ', etter fristen' : ''}.`,
    ],
    facts: [
      ...(task ? [['Oppgave nr.', String(task)] as [string, string]] : []),
      ...(doneAt ? [['Utført', osloTime(doneAt)] as [string, string]] : []),
      ...idFact(input),
    ],
    actions: [{ ...read(input), text: 'Les henvendelsen med oppgavene:' }],
  };
};

/** To the processor: the controller answered. */
const closed: EmailTemplate = (input) => {
  const outcome = input.details.oneOf('outcome', Object.keys(OUTCOMES) as (keyof typeof OUTCOMES)[]);
  const answeredOn = input.details.date('answeredOn');
  const late = input.details.flag('late');
  return {
    headline: 'Henvendelsen er besvart',
    paragraphs: [
      `${partyLabel(input, 'controller')} har registrert svaret på en henvendelse dere videresendte${late === true ? ', etter svarfristen' : ''}. Oppgaver dere er bedt om og ikke har utført, gjelder fortsatt.`,
    ],
    facts: [
      ...(outcome ? [['Utfall', OUTCOMES[outcome]] as [string, string]] : []),
      ...(answeredOn ? [['Besvart', norwegianDate(answeredOn)] as [string, string]] : []),
      ...idFact(input),
    ],
    actions: [read(input)],
  };
};

/** To the controller: 7 and 1 days before its deadline, and weekly once it has passed. */
const deadlineReminder: EmailTemplate = (input) => {
  const overdue = input.details.flag('overdue') === true;
  const daysLeft = input.details.int('daysLeft');
  return {
    headline: overdue
      ? 'Svarfristen for en henvendelse er passert'
      : 'Påminnelse: svarfrist for en henvendelse',
    paragraphs: [
      overdue
        ? `${whatText(input)}, og svarfristen er passert uten at svaret er registrert. Svar så snart som mulig og registrer svaret.`
        : `${whatText(input)}, og svaret er ennå ikke registrert${daysLeft !== undefined ? `. Det er ${daysLeft} ${daysLeft === 1 ? 'dag' : 'dager'} igjen av fristen` : ''}.`,
    ],
    facts: [...deadlineFact(input), ...idFact(input)],
    actions: [
      read(input),
      { text: 'Registrer svaret:', call: { method: 'POST', path: requestPath(input, '/outcome') } },
    ],
  };
};

/** To the processor: weekly once a task's dueOn has passed. */
const taskReminder: EmailTemplate = (input) => {
  const task = input.details.int('task');
  const dueOn = input.details.date('dueOn');
  return {
    headline: 'Påminnelse: oppgave med en henvendelse er ikke utført',
    paragraphs: [
      `Fristen for en oppgave ${partyLabel(input, 'controller')} ba om bistand med, er passert, og oppgaven er ikke meldt utført.`,
    ],
    facts: [
      ...(task ? [['Oppgave nr.', String(task)] as [string, string]] : []),
      ...(dueOn ? [['Frist for oppgaven', endOfDayDeadline(dueOn)] as [string, string]] : []),
      ...idFact(input),
    ],
    actions: task
      ? [
          read(input),
          {
            text: 'Meld oppgaven utført:',
            call: { method: 'POST', path: requestPath(input, `/tasks/${task}/done`) },
          },
        ]
      : [read(input)],
  };
};

export const REQUEST_EMAILS: Record<string, EmailTemplate> = {
  'request.forwarded': forwarded,
  'request.extended': extended,
  'request.task-assigned': taskAssigned,
  'request.task-done': taskDone,
  'request.closed': closed,
  'reminder.request-deadline': deadlineReminder,
  'reminder.request-task': taskReminder,
};
