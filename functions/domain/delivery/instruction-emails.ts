import {
  type EmailAction,
  type EmailTemplate,
  norwegianDate,
  osloTime,
  partyLabel,
} from './email-message.ts';

/**
 * E-mails of the controller's documented instructions (rule 16, 003 §4 and §9): the processor is given
 * one to acknowledge or object to; the controller hears of the answer and, after an objection, decides
 * whether to withdraw or uphold it; each side is reminded weekly while the other waits on it. One
 * template, a line of text per type: the delivery function's bundle stays within its budget.
 */

const TOPICS: Record<string, string> = {
  THIRD_COUNTRY_TRANSFER: 'Overføring til tredjeland',
  SECURITY: 'Sikkerhet',
  DELETION: 'Sletting',
  PROCESSING: 'Behandling',
  OTHER: 'Annet',
};

const HELD = 'Den holdes tilbake til dere trekker den tilbake eller opprettholder den.';

/**
 * Per type: who told the recipient (controller C, processor P), the headline after the instruction's
 * name or before it (`^`), what happened (`%` is that party, `@` when, if known), and what the
 * recipient may do: answer it (processor), decide on it (controller), or read it.
 */
const TEXTS: Record<string, [by: 'C' | 'P', headline: string, text: string, next?: 'answer' | 'decide']> = {
  'instruction.given': [
    'C',
    '^Ny instruks: ',
    '% har gitt dere en instruks (avtalen punkt 4). Bekreft den, eller si straks fra om den vil føre til brudd på personvernregelverket; da holdes den tilbake.',
    'answer',
  ],
  'instruction.acknowledged': ['P', ' er bekreftet av databehandleren', '% har bekreftet instruksen.'],
  'instruction.objected': [
    'P',
    ': databehandleren mener den strider mot loven',
    `% mener instruksen vil føre til brudd på personvernregelverket (avtalen punkt 4). ${HELD}`,
    'decide',
  ],
  'instruction.withdrawn': [
    'C',
    ' er trukket tilbake',
    '% har trukket tilbake instruksen. Den gjelder ikke.',
  ],
  'instruction.confirmed': ['C', ' er opprettholdt', '% opprettholder instruksen, med begrunnelse.'],
  'reminder.instruction-acknowledgement': [
    'C',
    '^Påminnelse – svar på ',
    '% venter på svar på instruksen gitt@.',
    'answer',
  ],
  'reminder.instruction-objection': [
    'P',
    '^Påminnelse – innsigelse mot ',
    `% sa fra@ at instruksen strider mot loven. ${HELD}`,
    'decide',
  ],
};

const template: EmailTemplate = (input) => {
  const [by, headline, text, next] = TEXTS[input.notification.type]!;
  const { details } = input;
  const id = details.id('instructionId');
  const number = details.int('number');
  const title = details.text('title', 200);
  const topic = details.text('topic', 40);
  const since = details.instant('since');
  const name = `nstruks${number ? ` nr. ${number}` : ''}${title ? ` «${title}»` : ''}`;
  const fact = (label: string, value: string | undefined): [string, string][] =>
    value ? [[label, value]] : [];
  const date = (key: string) => {
    const value = details.date(key);
    return value && norwegianDate(value);
  };
  const path = (suffix = '') => input.path(id ? `/instructions/${id}${suffix}` : '/instructions');
  const call = (text: string, suffix: string, body: string): EmailAction => ({
    text,
    call: { method: 'POST', path: path(suffix), body },
  });
  const actions: EmailAction[] = [{ text: 'Les instruksen:', call: { method: 'GET', path: path() } }];
  if (id && next === 'answer') {
    actions.push(
      call('Bekreft instruksen:', '/acknowledgement', '{"comment"?}'),
      call('Eller si fra om at den strider mot loven:', '/objection', '{"reason", "legalReference"?}'),
    );
  }
  if (id && next === 'decide') {
    actions.push(
      call('Trekk instruksen tilbake:', '/withdrawal', '{"reason"?}'),
      call('Eller oppretthold den, med begrunnelse:', '/confirmation', '{"reasons"}'),
    );
  }
  return {
    headline: headline.startsWith('^') ? `${headline.slice(1)}i${name}` : `I${name}${headline}`,
    paragraphs: [
      text
        .replace('%', partyLabel(input, by === 'C' ? 'controller' : 'processor'))
        .replace('@', since ? ` ${osloTime(since)}` : ''),
    ],
    facts: [
      ...fact('Instruks nr.', number ? String(number) : undefined),
      ...fact('Gjelder', topic && TOPICS[topic]),
      ...fact('Gjelder fra', date('effectiveFrom')),
      ...fact('I kraft fra', date('inEffectFrom')),
      ...fact('Hjemmel', details.text('legalReference', 200)),
    ],
    actions,
  };
};

export const INSTRUCTION_EMAILS: Record<string, EmailTemplate> = Object.fromEntries(
  Object.keys(TEXTS).map((type) => [type, template]),
);
