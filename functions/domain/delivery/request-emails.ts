import {
  type EmailTemplate,
  endOfDayDeadline,
  norwegianDate,
  osloTime,
  partyLabel,
} from './email-message.ts';

/**
 * E-mails of requests forwarded to the controller (rule 16, 003 §5, GDPR Art. 12(3)): the controller
 * learns of a request and its deadline, the processor of the tasks asked of it; reminders before and
 * after the deadline and for an overdue task. What was asked is never in an e-mail: it is read with
 * the API. Written compactly: every template is in the delivery function's bundle.
 */

const RIGHTS = {
  ACCESS: 'innsyn',
  RECTIFICATION: 'retting',
  ERASURE: 'sletting',
  RESTRICTION: 'begrensning',
  PORTABILITY: 'dataportabilitet',
  OBJECTION: 'protest',
};
const OUTCOMES = { ANSWERED: 'besvart', PARTLY_ANSWERED: 'delvis imøtekommet', REFUSED: 'avslått' };

type Input = Parameters<EmailTemplate>[0];
type Fact = [string, string];

/**
 * One template: a headline and a paragraph from the input, the facts every request e-mail shows (those
 * the details hold), and the calls: read the request, and the one the recipient is asked to make.
 */
const mail =
  (
    headline: string | ((input: Input) => string),
    paragraph: (input: Input, other: string) => string,
    call?: 'outcome' | 'task',
  ): EmailTemplate =>
  (input) => {
    const d = input.details;
    const id = d.id('requestId');
    const task = d.int('task');
    const path = (suffix = '') => input.path(id ? `/requests/${id}${suffix}` : '/requests');
    const fact = (label: string, value: string | undefined): Fact[] => (value ? [[label, value]] : []);
    const date = (key: string, show: (date: string) => string) => {
      const value = d.date(key);
      return value ? show(value) : undefined;
    };
    const received = d.instant('receivedAt');
    const outcome = d.oneOf('outcome', Object.keys(OUTCOMES) as (keyof typeof OUTCOMES)[]);
    const other = partyLabel(input, input.recipientRole === 'controller' ? 'processor' : 'controller');
    return {
      headline: typeof headline === 'string' ? headline : headline(input),
      paragraphs: [paragraph(input, other)],
      facts: [
        ...fact('Mottatt', received && osloTime(received)),
        ...fact('Svarfrist', date('answerDeadline', endOfDayDeadline)),
        ...fact('Oppgave nr.', task ? String(task) : undefined),
        ...fact('Frist for oppgaven', date('dueOn', endOfDayDeadline)),
        ...fact('Utfall', outcome && OUTCOMES[outcome]),
        ...fact('Besvart', date('answeredOn', norwegianDate)),
        ...fact('Id', id),
      ],
      actions: [
        { text: 'Les henvendelsen:', call: { method: 'GET', path: path() } },
        ...(call === 'outcome'
          ? [{ text: 'Registrer svaret:', call: { method: 'POST' as const, path: path('/outcome') } }]
          : []),
        ...(call === 'task' && task
          ? [
              {
                text: 'Meld oppgaven utført:',
                call: { method: 'POST' as const, path: path(`/tasks/${task}/done`) },
              },
            ]
          : []),
      ],
    };
  };

/** `En registrert ber om sletting`, `Datatilsynet har sendt en henvendelse`. */
function what(input: Input): string {
  if (input.details.text('from') === 'DATATILSYNET') return 'Datatilsynet har sendt en henvendelse';
  const kind = input.details.oneOf('kind', Object.keys(RIGHTS) as (keyof typeof RIGHTS)[]);
  return kind ? `En registrert ber om ${RIGHTS[kind]}` : 'En registrert har sendt en henvendelse';
}

const late = (input: Input, text: string) => (input.details.flag('late') === true ? text : '');

export const REQUEST_EMAILS: Record<string, EmailTemplate> = {
  'request.forwarded': mail(
    'Henvendelse videresendt til dere',
    (input, other) =>
      `${other} har videresendt en henvendelse dere skal besvare. ${what(input)}. ${
        input.details.text('from') === 'DATATILSYNET'
          ? 'Datatilsynet har satt svarfristen.'
          : 'Fristen er en måned fra mottak og kan forlenges med inntil to måneder (personvernforordningen art. 12 nr. 3).'
      }`,
    'outcome',
  ),
  'request.extended': mail(
    'Svarfristen er forlenget',
    (_input, other) => `${other} har forlenget svarfristen.`,
  ),
  'request.task-assigned': mail(
    'Bistand med henvendelse',
    (_input, other) => `${other} ber om bistand (avtalen punkt 5).`,
    'task',
  ),
  'request.task-done': mail(
    'Oppgave utført',
    (input, other) => `${other} har utført oppgaven${late(input, ' etter fristen')}.`,
  ),
  'request.closed': mail(
    'Henvendelsen er besvart',
    (input, other) => `${other} har besvart henvendelsen${late(input, ' etter svarfristen')}.`,
  ),
  'reminder.request-deadline': mail(
    (input) =>
      input.details.flag('overdue') === true ? 'Svarfristen er passert' : 'Påminnelse om svarfrist',
    (input) =>
      `${what(input)}, og svaret er ikke registrert${input.details.flag('overdue') === true ? ', og fristen er passert' : ''}.`,
    'outcome',
  ),
  'reminder.request-task': mail(
    'Oppgave ikke utført',
    () => 'Fristen er passert, og oppgaven er ikke meldt utført.',
    'task',
  ),
};
