import {
  type EmailAction,
  type EmailTemplate,
  norwegianDate,
  osloTime,
  partyLabel,
  type TemplateInput,
} from './email-message.ts';

/**
 * E-mails of the controller's documented instructions (rule 16, 003 §4 and §9): the processor is given
 * one to acknowledge or object to; the controller hears of the answer and, after an objection, decides
 * whether to withdraw or uphold it; each side is reminded weekly while the other waits on it.
 */

const TOPICS = {
  THIRD_COUNTRY_TRANSFER: 'Overføring til tredjeland (punkt 9)',
  SECURITY: 'Sikkerhet',
  DELETION: 'Sletting',
  PROCESSING: 'Behandling av personopplysningene',
  OTHER: 'Annet',
} as const;

function instructionOf(input: TemplateInput) {
  const id = input.details.id('instructionId');
  const number = input.details.int('number');
  const topic = input.details.oneOf('topic', Object.keys(TOPICS) as (keyof typeof TOPICS)[]);
  const title = input.details.text('title', 200);
  const effectiveFrom = input.details.date('effectiveFrom');
  const inEffectFrom = input.details.date('inEffectFrom');
  const named = `${number ? ` nr. ${number}` : ''}${title ? ` «${title}»` : ''}`;
  const name = `Instruks${named}`;
  /** As it reads inside a sentence. */
  const inSentence = `instruks${named}`;
  const facts: [string, string][] = [
    ...(number ? [['Instruks nr.', String(number)] as [string, string]] : []),
    ...(title ? [['Tittel', title] as [string, string]] : []),
    ...(topic ? [['Gjelder', TOPICS[topic]] as [string, string]] : []),
    ...(effectiveFrom ? [['Gjelder fra', norwegianDate(effectiveFrom)] as [string, string]] : []),
    ...(inEffectFrom ? [['I kraft fra', norwegianDate(inEffectFrom)] as [string, string]] : []),
    ...(id ? [['Instruks-id', id] as [string, string]] : []),
  ];
  const path = (suffix = '') =>
    id ? input.path(`/instructions/${id}${suffix}`) : input.path('/instructions');
  const read: EmailAction = { text: 'Les instruksen:', call: { method: 'GET', path: path() } };
  return { id, name, inSentence, facts, path, read };
}

/** What the processor can do with an instruction awaiting it. */
const answerActions = (instruction: ReturnType<typeof instructionOf>): EmailAction[] =>
  instruction.id
    ? [
        instruction.read,
        {
          text: 'Bekreft at dere har mottatt og vil følge instruksen:',
          call: { method: 'POST', path: instruction.path('/acknowledgement'), body: '{"comment"?}' },
        },
        {
          text: 'Eller si fra om at instruksen etter deres mening strider mot personvernregelverket:',
          call: {
            method: 'POST',
            path: instruction.path('/objection'),
            body: '{"reason", "legalReference"?}',
          },
        },
      ]
    : [instruction.read];

/** What the controller can do with an instruction objected to. */
const decideActions = (instruction: ReturnType<typeof instructionOf>): EmailAction[] =>
  instruction.id
    ? [
        instruction.read,
        {
          text: 'Trekk instruksen tilbake:',
          call: { method: 'POST', path: instruction.path('/withdrawal'), body: '{"reason"?}' },
        },
        {
          text: 'Eller oppretthold den, med begrunnelse:',
          call: { method: 'POST', path: instruction.path('/confirmation'), body: '{"reasons"}' },
        },
      ]
    : [instruction.read];

const given: EmailTemplate = (input) => {
  const instruction = instructionOf(input);
  return {
    headline: `Ny instruks fra den behandlingsansvarlige: ${instruction.name}`,
    paragraphs: [
      `${partyLabel(input, 'controller')} har gitt dere en dokumentert instruks om behandlingen av personopplysningene (avtalen punkt 4).`,
      'Bekreft at dere har mottatt den. Mener dere at instruksen vil føre til brudd på personvernregelverket, skal dere straks si fra til den behandlingsansvarlige; instruksen holdes da tilbake til den behandlingsansvarlige har trukket den tilbake eller opprettholdt den.',
    ],
    facts: instruction.facts,
    actions: answerActions(instruction),
  };
};

const acknowledged: EmailTemplate = (input) => {
  const instruction = instructionOf(input);
  return {
    headline: `${instruction.name} er bekreftet av databehandleren`,
    paragraphs: [
      `${partyLabel(input, 'processor')} har bekreftet instruksen, og er bundet av den fra datoen den gjelder fra.`,
    ],
    facts: instruction.facts,
    actions: [instruction.read],
  };
};

const objected: EmailTemplate = (input) => {
  const instruction = instructionOf(input);
  const legalReference = input.details.text('legalReference', 200);
  return {
    headline: `Databehandleren mener ${instruction.inSentence} strider mot loven`,
    paragraphs: [
      `${partyLabel(input, 'processor')} mener at instruksen vil føre til brudd på personvernregelverket (avtalen punkt 4), og har begrunnet det. Instruksen holdes tilbake og gjelder ikke før dere har tatt stilling.`,
      'Partene skal i god tro drøfte hvordan problemet kan løses uten at vernet av de registrertes rettigheter svekkes. Trekk instruksen tilbake, eller oppretthold den med begrunnelse.',
    ],
    facts: [
      ...(legalReference ? [['Hjemmel', legalReference] as [string, string]] : []),
      ...instruction.facts,
    ],
    actions: decideActions(instruction),
  };
};

const withdrawn: EmailTemplate = (input) => {
  const instruction = instructionOf(input);
  return {
    headline: `${instruction.name} er trukket tilbake`,
    paragraphs: [
      `${partyLabel(input, 'controller')} har trukket tilbake instruksen. Den gjelder ikke, og dere skal ikke følge den.`,
    ],
    facts: instruction.facts,
    actions: [instruction.read],
  };
};

const confirmed: EmailTemplate = (input) => {
  const instruction = instructionOf(input);
  return {
    headline: `${instruction.name} er opprettholdt av den behandlingsansvarlige`,
    paragraphs: [
      `${partyLabel(input, 'controller')} har vurdert innsigelsen deres og opprettholder instruksen, med begrunnelse. Instruksen gjelder fra datoen som står under.`,
    ],
    facts: instruction.facts,
    actions: [instruction.read],
  };
};

const acknowledgementReminder: EmailTemplate = (input) => {
  const instruction = instructionOf(input);
  const since = input.details.instant('since');
  return {
    headline: `Påminnelse – ${instruction.inSentence} venter på svar fra dere`,
    paragraphs: [
      `${partyLabel(input, 'controller')} venter fortsatt på at dere bekrefter instruksen${since ? ` som ble gitt ${osloTime(since)}` : ''}, eller sier fra om at den strider mot personvernregelverket.`,
    ],
    facts: instruction.facts,
    actions: answerActions(instruction),
  };
};

const objectionReminder: EmailTemplate = (input) => {
  const instruction = instructionOf(input);
  const since = input.details.instant('since');
  return {
    headline: `Påminnelse – innsigelsen mot ${instruction.inSentence} venter på dere`,
    paragraphs: [
      `${partyLabel(input, 'processor')} sa fra${since ? ` ${osloTime(since)}` : ''} at instruksen strider mot personvernregelverket. Instruksen holdes tilbake til dere har trukket den tilbake eller opprettholdt den.`,
    ],
    facts: instruction.facts,
    actions: decideActions(instruction),
  };
};

export const INSTRUCTION_EMAILS: Record<string, EmailTemplate> = {
  'instruction.given': given,
  'instruction.acknowledged': acknowledged,
  'instruction.objected': objected,
  'instruction.withdrawn': withdrawn,
  'instruction.confirmed': confirmed,
  'reminder.instruction-acknowledgement': acknowledgementReminder,
  'reminder.instruction-objection': objectionReminder,
};
