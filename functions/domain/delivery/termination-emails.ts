import type { PartyRole } from '../schemas.ts';
import {
  days,
  type EmailAction,
  type EmailMessage,
  type EmailTemplate,
  endOfDayDeadline,
  norwegianDate,
  partyLabel,
  type TemplateInput,
} from './email-message.ts';

/** E-mails of notice, termination, return or deletion of the data, and legal retention (rules 5 and 6). */

type Method = 'RETURN' | 'DELETE';
const METHODS = ['RETURN', 'DELETE'] as const;

/** The noun: "tilbakelevering" / "sletting". */
const METHOD_NOUN: Record<Method, string> = { RETURN: 'tilbakelevering', DELETE: 'sletting' };
/** The participle: "tilbakelevert" / "slettet". */
const METHOD_DONE: Record<Method, string> = { RETURN: 'tilbakelevert', DELETE: 'slettet' };

function chooseAction(input: TemplateInput): EmailAction {
  return {
    text: 'Velg om databehandleren skal tilbakelevere (RETURN) eller slette (DELETE) personopplysningene, eventuelt med instrukser:',
    call: {
      method: 'POST',
      path: input.path('/data-disposition'),
      body: '{"method": "RETURN" | "DELETE", "instructions": "…"}',
    },
  };
}

function attestAction(input: TemplateInput, method: Method | undefined, text: string): EmailAction {
  return {
    text,
    call: {
      method: 'POST',
      path: input.path('/data-disposition/attestation'),
      body: `{"method": "${method ?? 'RETURN" | "DELETE'}", "completedOn": "ÅÅÅÅ-MM-DD", "statement": "…", "signatory": {"name": "…", "title": "…"}}`,
    },
  };
}

const endsFact = (terminatesOn: string | undefined): [string, string][] =>
  terminatesOn ? [['Avtalen opphører', endOfDayDeadline(terminatesOn)]] : [];

const terminationNotice: EmailTemplate = (input) => {
  const givenBy = input.details.oneOf('givenBy', ['controller', 'processor'] as const);
  const givenOn = input.details.date('givenOn');
  const terminatesOn = input.details.date('terminatesOn');
  const by =
    givenBy === input.recipientRole ? 'Dere' : givenBy ? partyLabel(input, givenBy) : 'En av partene';
  return {
    headline: 'Avtalen er sagt opp',
    paragraphs: [
      `${by} sa opp avtalen${givenOn ? ` ${norwegianDate(givenOn)}` : ''}.`,
      `Avtalen gjelder i oppsigelsestiden${terminatesOn ? ` og opphører ved utgangen av ${norwegianDate(terminatesOn)} (kl. 23:59 norsk tid)` : ''}. Databehandleren kan behandle personopplysninger etter avtalen fram til da.`,
      input.recipientRole === 'controller'
        ? 'Når avtalen opphører, skal databehandleren tilbakelevere eller slette personopplysningene, slik dere bestemmer. Dere kan velge allerede nå.'
        : 'Når avtalen har opphørt, skal dere tilbakelevere eller slette personopplysningene slik den behandlingsansvarlige bestemmer, og bekrefte det skriftlig. Dere får varsel om valget.',
    ],
    facts: [
      ...(givenOn ? [['Oppsagt', norwegianDate(givenOn)] as [string, string]] : []),
      ...endsFact(terminatesOn),
    ],
    actions: input.recipientRole === 'controller' ? [chooseAction(input)] : [],
  };
};

const terminated: EmailTemplate = (input) => {
  const terminatesOn = input.details.date('terminatesOn');
  const method = input.details.oneOf('dataDisposition', METHODS);
  const paragraphs = [
    `Avtalen opphørte${terminatesOn ? ` ved utgangen av ${norwegianDate(terminatesOn)}` : ''}. Databehandleren kan ikke lenger behandle personopplysninger etter avtalen.`,
  ];
  const facts: [string, string][] = [
    ...(terminatesOn ? [['Opphørt', endOfDayDeadline(terminatesOn)] as [string, string]] : []),
    ...(method ? [['Valgt', METHOD_NOUN[method]] as [string, string]] : []),
  ];
  if (input.recipientRole === 'controller') {
    return method
      ? {
          headline: 'Avtalen har opphørt',
          paragraphs: [
            ...paragraphs,
            `Dere har valgt ${METHOD_NOUN[method]} av personopplysningene. Databehandleren skal nå gjennomføre det og bekrefte det skriftlig; dere får varsel da.`,
          ],
          facts,
        }
      : {
          headline: 'Avtalen har opphørt – velg tilbakelevering eller sletting',
          paragraphs: [
            ...paragraphs,
            'Dere har ennå ikke valgt om personopplysningene skal tilbakeleveres eller slettes. Databehandleren venter på valget deres.',
          ],
          facts,
          actions: [chooseAction(input)],
        };
  }
  return method
    ? {
        headline: `Avtalen har opphørt – personopplysningene skal ${method === 'RETURN' ? 'tilbakeleveres' : 'slettes'}`,
        paragraphs: [
          ...paragraphs,
          `Den behandlingsansvarlige har valgt ${METHOD_NOUN[method]}. ${method === 'RETURN' ? 'Tilbakelever' : 'Slett'} alle personopplysninger og kopier, og bekreft det skriftlig.`,
        ],
        facts,
        actions: [attestAction(input, method, `Bekreft ${METHOD_NOUN[method]} når den er gjennomført:`)],
      }
    : {
        headline: 'Avtalen har opphørt',
        paragraphs: [
          ...paragraphs,
          'Den behandlingsansvarlige har ennå ikke valgt om personopplysningene skal tilbakeleveres eller slettes. Dere får varsel når valget er gjort.',
        ],
        facts,
      };
};

const dispositionChosen: EmailTemplate = (input) => {
  const method = input.details.oneOf('method', METHODS);
  const chosenOn = input.details.date('chosenOn');
  const noun = method ? METHOD_NOUN[method] : 'tilbakelevering eller sletting';
  const facts: [string, string][] = [
    ...(method ? [['Valgt', noun] as [string, string]] : []),
    ...(chosenOn ? [['Valgt den', norwegianDate(chosenOn)] as [string, string]] : []),
  ];
  const chose = `${partyLabel(input, 'controller')} valgte${chosenOn ? ` ${norwegianDate(chosenOn)}` : ''} ${noun} av personopplysningene når avtalen opphører.`;
  if (input.recipientRole === 'controller') {
    return { headline: `Dere har valgt ${noun} av personopplysningene`, paragraphs: [chose], facts };
  }
  return {
    headline: `Den behandlingsansvarlige har valgt ${noun} av personopplysningene`,
    paragraphs: [
      chose,
      `Når avtalen har opphørt, skal dere ${method === 'RETURN' ? 'tilbakelevere' : method === 'DELETE' ? 'slette' : 'tilbakelevere eller slette'} alle personopplysninger og kopier og bekrefte det skriftlig. Eventuelle instrukser står i feltet dataDisposition.instructions på avtalen (GET ${input.url()}).`,
    ],
    facts,
    actions: [
      attestAction(input, method, 'Bekreft skriftlig når det er gjennomført (etter at avtalen har opphørt):'),
    ],
  };
};

function retainedParagraph(legalBasis: string | undefined, reviewOn: string | undefined): string {
  return `Noen personopplysninger beholdes fordi lov krever det${legalBasis ? ` (rettslig grunnlag: ${legalBasis})` : ''}. ${reviewOn ? `Lagringen vurderes på nytt ${norwegianDate(reviewOn)}. ` : ''}Avtalen avsluttes først når databehandleren har bekreftet at også disse er slettet.`;
}

const retainedFacts = (legalBasis: string | undefined, reviewOn: string | undefined): [string, string][] => [
  ...(legalBasis ? [['Rettslig grunnlag', legalBasis] as [string, string]] : []),
  ...(reviewOn ? [['Ny vurdering', norwegianDate(reviewOn)] as [string, string]] : []),
];

const dispositionAttested: EmailTemplate = (input) => {
  const method = input.details.oneOf('method', METHODS);
  const completedOn = input.details.date('completedOn');
  const retained = input.details.nested('retainedUnderLaw');
  const legalBasis = retained.text('legalBasis', 2000);
  const reviewOn = retained.date('reviewOn');
  const isRetained = Boolean(legalBasis || reviewOn);
  const noun = method ? METHOD_NOUN[method] : 'tilbakelevering eller sletting';
  return {
    headline:
      input.recipientRole === 'processor'
        ? `Deres bekreftelse av ${noun} er registrert`
        : `Databehandleren har bekreftet ${noun} av personopplysningene`,
    paragraphs: [
      `${partyLabel(input, 'processor')} har bekreftet skriftlig at personopplysningene er ${method ? METHOD_DONE[method] : 'tilbakelevert eller slettet'}${completedOn ? ` (gjennomført ${norwegianDate(completedOn)})` : ''}.`,
      ...(isRetained ? [retainedParagraph(legalBasis, reviewOn)] : []),
    ],
    facts: [
      ...(completedOn ? [['Gjennomført', norwegianDate(completedOn)] as [string, string]] : []),
      ...retainedFacts(legalBasis, reviewOn),
    ],
    actions:
      input.recipientRole === 'controller'
        ? [{ text: 'Les bekreftelsen (feltet attestation):', call: { method: 'GET', path: input.path() } }]
        : [],
  };
};

const retainedUnderLaw: EmailTemplate = (input) => {
  const legalBasis = input.details.text('legalBasis', 2000);
  const reviewOn = input.details.date('reviewOn');
  return {
    headline: 'Noen personopplysninger beholdes etter lov',
    paragraphs: [retainedParagraph(legalBasis, reviewOn)],
    facts: retainedFacts(legalBasis, reviewOn),
    actions:
      input.recipientRole === 'processor'
        ? [
            attestAction(
              input,
              'DELETE',
              'Når lagringsplikten er over: slett opplysningene og bekreft den endelige slettingen (uten retainedUnderLaw):',
            ),
          ]
        : [],
  };
};

const closed: EmailTemplate = (input) => ({
  headline: 'Avtalen er avsluttet',
  paragraphs: [
    'Databehandleren har bekreftet at alle personopplysninger er tilbakelevert eller slettet, og avtalen er avsluttet.',
  ],
  actions: [
    {
      text: 'Last ned bevismappen (alle versjoner, signaturer, beslutninger og logger) til arkivet deres:',
      call: { method: 'GET', path: input.path('/evidence') },
    },
  ],
});

const terminationAhead: EmailTemplate = (input) => {
  const terminatesOn = input.details.date('terminatesOn');
  const daysAhead = input.details.int('daysAhead');
  return {
    headline: daysAhead
      ? `Påminnelse – avtalen opphører om ${days(daysAhead)}`
      : 'Påminnelse – avtalen opphører snart',
    paragraphs: [
      `Avtalen er sagt opp og opphører${terminatesOn ? ` ved utgangen av ${norwegianDate(terminatesOn)}` : ''}.`,
      input.recipientRole === 'controller'
        ? 'Har dere ikke allerede valgt om databehandleren skal tilbakelevere eller slette personopplysningene, kan dere gjøre det nå.'
        : 'Forbered tilbakelevering eller sletting av personopplysningene. Etter at avtalen har opphørt, gjennomfører dere det den behandlingsansvarlige har valgt, og bekrefter det skriftlig.',
    ],
    facts: endsFact(terminatesOn),
    actions: input.recipientRole === 'controller' ? [chooseAction(input)] : [],
  };
};

const dispositionMissing: EmailTemplate = (input) => {
  const terminatesOn = input.details.date('terminatesOn');
  return {
    headline: 'Påminnelse – velg tilbakelevering eller sletting',
    paragraphs: [
      `Avtalen opphørte${terminatesOn ? ` ved utgangen av ${norwegianDate(terminatesOn)}` : ''}, og dere har ennå ikke valgt om databehandleren skal tilbakelevere eller slette personopplysningene. Databehandleren kan ikke avslutte før dere har valgt.`,
    ],
    facts: terminatesOn ? [['Opphørt', endOfDayDeadline(terminatesOn)]] : [],
    actions: [chooseAction(input)],
  };
};

const attestationMissing: EmailTemplate = (input) => {
  const method = input.details.oneOf('method', METHODS);
  const chosenOn = input.details.date('chosenOn');
  const terminatesOn = input.details.date('terminatesOn');
  const noun = method ? METHOD_NOUN[method] : 'tilbakelevering eller sletting';
  return {
    headline: `Påminnelse – bekreft ${noun} av personopplysningene`,
    paragraphs: [
      `Avtalen opphørte${terminatesOn ? ` ved utgangen av ${norwegianDate(terminatesOn)}` : ''}, og den behandlingsansvarlige valgte${chosenOn ? ` ${norwegianDate(chosenOn)}` : ''} ${noun}. Deres skriftlige bekreftelse er ennå ikke registrert.`,
    ],
    facts: [
      ...(method ? [['Valgt', noun] as [string, string]] : []),
      ...(terminatesOn ? [['Opphørt', endOfDayDeadline(terminatesOn)] as [string, string]] : []),
    ],
    actions: [attestAction(input, method, `Gjennomfør ${noun} og bekreft det:`)],
  };
};

const retentionReview: EmailTemplate = (input) => {
  const legalBasis = input.details.text('legalBasis', 2000);
  const reviewOn = input.details.date('reviewOn');
  return {
    headline: 'Påminnelse – vurder personopplysningene som beholdes etter lov',
    paragraphs: [
      `Dere beholder personopplysninger etter avtalen fordi lov krever det${legalBasis ? ` (rettslig grunnlag: ${legalBasis})` : ''}${reviewOn ? `, og de skulle vurderes på nytt ${norwegianDate(reviewOn)}` : ''}.`,
      'Vurder om lagringsplikten fortsatt gjelder. Er den over, slett opplysningene og bekreft den endelige slettingen. Gjelder den fortsatt, trenger dere ikke gjøre noe nå; dere får en ny påminnelse om ett år.',
    ],
    facts: retainedFacts(legalBasis, reviewOn),
    actions: [attestAction(input, 'DELETE', 'Bekreft den endelige slettingen (uten retainedUnderLaw):')],
  };
};

/** `escalation.disposition-overdue` and `escalation.attestation-overdue`: to both parties. */
function escalation(step: 'disposition' | 'attestation'): EmailTemplate {
  const actor: PartyRole = step === 'disposition' ? 'controller' : 'processor';
  return (input) => {
    const round = input.details.int('round');
    const lastRound = input.details.int('lastRound');
    const terminatesOn = input.details.date('terminatesOn');
    const handedOver = input.details.flag('handedOver');
    const method = step === 'attestation' ? input.details.oneOf('method', METHODS) : undefined;
    const chosenOn = input.details.date('chosenOn');
    const what =
      step === 'disposition'
        ? 'valgt om personopplysningene skal tilbakeleveres eller slettes'
        : `bekreftet skriftlig at personopplysningene er ${method ? METHOD_DONE[method] : 'tilbakelevert eller slettet'}`;
    const mine = input.recipientRole === actor;
    const message: EmailMessage = {
      headline:
        step === 'disposition'
          ? 'Forsinket – tilbakelevering eller sletting er ikke valgt'
          : 'Forsinket – tilbakelevering eller sletting er ikke bekreftet',
      paragraphs: [
        `Avtalen opphørte${terminatesOn ? ` ved utgangen av ${norwegianDate(terminatesOn)}` : ''}, og ${mine ? 'dere' : partyLabel(input, actor)} har ennå ikke ${what}.${method ? ` Den behandlingsansvarlige valgte${chosenOn ? ` ${norwegianDate(chosenOn)}` : ''} ${METHOD_NOUN[method]}.` : ''}`,
        `Dette er varsel${round && lastRound ? ` ${round} av ${lastRound}` : ''} til begge parter.${handedOver ? ' Etter dette kommer ukentlige påminnelser til det er gjort.' : ''}`,
        ...(mine ? [] : ['Dere trenger ikke gjøre noe selv, men kan følge opp med motparten.']),
      ],
      facts: [
        ...(terminatesOn ? [['Opphørt', endOfDayDeadline(terminatesOn)] as [string, string]] : []),
        ...(method ? [['Valgt', METHOD_NOUN[method]] as [string, string]] : []),
        ...(round && lastRound ? [['Varsel', `${round} av ${lastRound}`] as [string, string]] : []),
      ],
      actions: !mine
        ? []
        : step === 'disposition'
          ? [chooseAction(input)]
          : [
              attestAction(
                input,
                method,
                method
                  ? `Gjennomfør ${METHOD_NOUN[method]} og bekreft det:`
                  : 'Gjennomfør det den behandlingsansvarlige valgte, og bekreft det:',
              ),
            ],
    };
    return message;
  };
}

export const TERMINATION_EMAILS: Record<string, EmailTemplate> = {
  'agreement.termination-notice': terminationNotice,
  'agreement.terminated': terminated,
  'agreement.data-disposition-chosen': dispositionChosen,
  'agreement.data-disposition-attested': dispositionAttested,
  'agreement.retained-under-law': retainedUnderLaw,
  'agreement.closed': closed,
  'reminder.termination-ahead-30': terminationAhead,
  'reminder.termination-ahead-7': terminationAhead,
  'reminder.disposition-missing': dispositionMissing,
  'reminder.attestation-missing': attestationMissing,
  'reminder.retention-review': retentionReview,
  'escalation.disposition-overdue': escalation('disposition'),
  'escalation.attestation-overdue': escalation('attestation'),
};
