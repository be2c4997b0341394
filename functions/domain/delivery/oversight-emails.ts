import { type EmailTemplate, endOfDayDeadline, partyLabel, type TemplateInput } from './email-message.ts';

/**
 * E-mails of oversight audits (rule 16, 003 §11): the plan, the processor's material, findings and
 * their closing, the conclusion, and the reminders before and after due dates (Oslo days). Written
 * compactly: every template is in the delivery function's bundle.
 */

type Fact = [string, string];
const fact = (label: string, value: string | undefined): Fact[] => (value ? [[label, value]] : []);
const deadline = (date: string | undefined) => (date ? endOfDayDeadline(date) : undefined);

/** What every oversight e-mail shows: the finding (if any), the audit, and the calls to make. */
function oversight(
  input: TemplateInput,
  headline: string,
  paragraphs: string[],
  call?: 'material' | 'closure',
) {
  const d = input.details;
  const auditId = d.id('auditId');
  const number = d.int('number');
  const responsible = d.oneOf('responsible', ['controller', 'processor'] as const);
  const path = (suffix: string) => input.path(`/audits${auditId ? `/${auditId}${suffix}` : ''}`);
  const post =
    call === 'material'
      ? { text: 'Send inn materiale:', suffix: '/material' }
      : call === 'closure' && number && responsible === input.recipientRole
        ? { text: 'Registrer lukkingen:', suffix: `/findings/${number}/closure` }
        : undefined;
  return {
    headline,
    paragraphs,
    facts: [
      ...fact('Funn nr.', number ? String(number) : undefined),
      ...fact('Frist for å lukke funnet', deadline(d.date('deadline'))),
      ...fact('Frist for tilsynet', deadline(d.date('dueOn'))),
      ...fact('Tilsyn-id', auditId),
    ],
    actions: [
      { text: 'Les tilsynet:', call: { method: 'GET' as const, path: path('') } },
      ...(post && auditId
        ? [{ text: post.text, call: { method: 'POST' as const, path: path(post.suffix) } }]
        : []),
    ],
  };
}

const numbered = (input: TemplateInput) => {
  const number = input.details.int('number');
  return `Funn${number ? ` nr. ${number}` : ''} fra tilsynet`;
};

/** Whose turn it is on a finding: the recipient's, or the responsible party's. */
const findingTask = (input: TemplateInput) => {
  const responsible = input.details.oneOf('responsible', ['controller', 'processor'] as const);
  return responsible === input.recipientRole
    ? 'Dere skal lukke funnet.'
    : `${responsible ? partyLabel(input, responsible) : 'Den ansvarlige parten'} skal lukke funnet.`;
};

const reminder =
  (overdue: boolean): EmailTemplate =>
  (input) =>
    oversight(input, `Påminnelse – tilsyn ${overdue ? 'over fristen' : 'nærmer seg fristen'}`, [
      input.details.text('status') === 'PLANNED'
        ? 'Materialet fra databehandler mangler.'
        : 'Tilsynet venter på konklusjonen fra behandlingsansvarlig.',
    ]);

const findingReminder =
  (overdue: boolean): EmailTemplate =>
  (input) =>
    oversight(
      input,
      `Påminnelse – ${numbered(input).toLowerCase()} ${overdue ? 'er over fristen' : 'skal lukkes'}`,
      [findingTask(input)],
      'closure',
    );

export const OVERSIGHT_EMAILS: Record<string, EmailTemplate> = {
  'oversight.planned': (input) => {
    const every = input.details.int('everyMonths');
    return oversight(
      input,
      'Tilsyn er planlagt',
      [
        `${partyLabel(input, 'controller')} har planlagt tilsyn (avtalen punkt 11). Send inn materialet før fristen.`,
        ...(every ? [`Tilsynet gjentas hver ${every}. måned.`] : []),
      ],
      'material',
    );
  },
  'oversight.material-submitted': (input) =>
    oversight(input, 'Materiale til tilsynet er sendt inn', [
      `${partyLabel(input, 'processor')} har sendt inn materiale. Registrer eventuelle funn, og avslutt tilsynet.`,
    ]),
  'oversight.finding-recorded': (input) =>
    oversight(
      input,
      numbered(input),
      [`${partyLabel(input, 'controller')} har registrert et funn fra tilsynet.`, findingTask(input)],
      'closure',
    ),
  'oversight.finding-closed': (input) => {
    const open = input.details.int('openFindings');
    return oversight(input, `${numbered(input)} er lukket`, [
      `Funnet er lukket${input.details.flag('closedLate') ? ' etter fristen' : ''}.${open !== undefined ? ` Åpne funn igjen: ${open}.` : ''}`,
    ]);
  },
  'oversight.closed': (input) => {
    const next = deadline(input.details.date('nextDueOn'));
    return oversight(input, 'Tilsynet er avsluttet', [
      `${partyLabel(input, 'controller')} har avsluttet tilsynet.${next ? ` Neste tilsyn har frist ${next}.` : ''}`,
    ]);
  },
  'reminder.oversight-due': reminder(false),
  'reminder.oversight-overdue': reminder(true),
  'reminder.oversight-finding-due': findingReminder(false),
  'reminder.oversight-finding-overdue': findingReminder(true),
};
