import { lazily } from '../lazily.ts';
import { type CalendarEntry, type Deadline, dayOf } from './deadlines.ts';

/**
 * What each event of the feed says, in bokmål: the agreement's title and id, what is due, when (Oslo
 * time), and which call of the API to make. No personal data beyond the agreement's own title.
 */
export interface EventText {
  summary: string;
  description: string;
}

const osloWallClock = lazily(
  () =>
    new Intl.DateTimeFormat('nb-NO', {
      timeZone: 'Europe/Oslo',
      day: '2-digit',
      month: '2-digit',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }),
);

/** `24.11.2026 kl. 11:00 (norsk tid)`. */
export function osloDateTimeText(instant: string): string {
  const parts = Object.fromEntries(
    osloWallClock()
      .formatToParts(new Date(instant))
      .map((part) => [part.type, part.value]),
  );
  return `${parts.day}.${parts.month}.${parts.year} kl. ${parts.hour}:${parts.minute} (norsk tid)`;
}

/** `24.11.2026`. */
export function dateText(date: string): string {
  const [year, month, day] = date.split('-');
  return `${day}.${month}.${year}`;
}

const whenText = (deadline: Deadline) =>
  'on' in deadline
    ? `innen utgangen av ${dateText(dayOf(deadline))} (norsk tid)`
    : `senest ${osloDateTimeText(deadline.at)}`;

export function eventText(entry: CalendarEntry, deadline: Deadline): EventText {
  const { agreementId: id, title, subject } = entry;
  const agreement = `Avtalen «${title}» (id ${id})`;
  const path = `/agreements/${id}`;
  const when = whenText(deadline);
  switch (subject.type) {
    case 'agreement':
      return agreementText(deadline, { title, agreement, path, when });
    case 'retention':
      return {
        summary: `Gjennomgang av lagring etter lov: ${title}`,
        description: `Databehandler lagrer fortsatt opplysninger etter ${agreement} med hjemmel i «${subject.legalBasis}». Lagringen skal gjennomgås ${when}. Når opplysningene er slettet, bekrefter databehandler det med POST ${path}/data-disposition/attestation.`,
      };
    case 'sub-processor':
      return {
        summary: `Frist for beslutning om underdatabehandler ${subject.name}: ${title}`,
        description: `Databehandler ber om godkjenning av underdatabehandleren ${subject.name} (id ${subject.id}) under ${agreement}. Behandlingsansvarlig må beslutte ${when}; uten beslutning faller forespørselen bort (taushet er aldri godkjenning). Beslutt med POST ${path}/sub-processors/${subject.id}/decision.`,
      };
    case 'amendment':
      return {
        summary: `Signaturfrist for endring ${subject.number}: ${title}`,
        description: `Endring nr. ${subject.number} (id ${subject.id}) av ${agreement} må signeres av begge parter ${when}, ellers faller den bort. Signer med POST ${path}/amendments/${subject.id}/signatures (med endringens contentHash).`,
      };
    case 'oversight':
      return {
        summary: `Tilsyn (${subject.auditType}) forfaller: ${title}`,
        description: `Tilsynet (id ${subject.id}) med databehandler under ${agreement} skal være gjennomført ${when}: databehandler sender inn sitt materiale før, og behandlingsansvarlig avslutter tilsynet med sin konklusjon. Les tilsynet med GET ${path}/audits/${subject.id}.`,
      };
    case 'oversight-finding': {
      const [auditId] = subject.id.split('.');
      const responsible = subject.responsible === 'processor' ? 'Databehandler' : 'Behandlingsansvarlig';
      return {
        summary: `Frist for å lukke funn ${subject.number} fra tilsyn: ${title}`,
        description: `${responsible} skal lukke funn nr. ${subject.number} fra tilsynet (id ${auditId}) under ${agreement} ${when}. Registrer hvordan det ble lukket med POST ${path}/audits/${auditId}/findings/${subject.number}/closure.`,
      };
    }
    case 'request':
      return {
        summary: `Svarfrist for videresendt henvendelse: ${title}`,
        description: `${subject.from === 'DATATILSYNET' ? 'En henvendelse fra Datatilsynet' : 'En henvendelse fra en registrert'} (id ${subject.id}) som databehandler har mottatt og videresendt under ${agreement}, må besvares av behandlingsansvarlig ${when}. Les henvendelsen med GET ${path}/requests/${subject.id}, og registrer svaret med POST ${path}/requests/${subject.id}/outcome.`,
      };
    case 'request-task':
      return {
        summary: `Frist for bistand med henvendelse: ${title}`,
        description: `Behandlingsansvarlig har bedt databehandler om bistand (oppgave nr. ${subject.number}) med en videresendt henvendelse (id ${subject.requestId}) under ${agreement}. Oppgaven skal være utført ${when}. Meld den utført med POST ${path}/requests/${subject.requestId}/tasks/${subject.number}/done.`,
      };
    case 'breach':
      return deadline.kind === 'breach-notification'
        ? {
            summary: `Varslingsfrist for avvik: ${title}`,
            description: `Databehandler skal varsle behandlingsansvarlig om avviket (id ${subject.id}) under ${agreement} ${when}, ${subject.notificationHours} timer etter at det ble oppdaget. Avviket ble meldt ${osloDateTimeText(subject.reportedAt)}. Les rapporten med GET ${path}/breaches/${subject.id}.`,
          }
        : {
            summary: `Frist for melding til Datatilsynet: ${title}`,
            description: `Behandlingsansvarlig må melde avviket (id ${subject.id}) under ${agreement} til Datatilsynet ${when}, 72 timer etter at databehandler ble kjent med det (GDPR art. 33), med mindre det er usannsynlig at det medfører en risiko for de registrerte. Bare behandlingsansvarlig melder. Les rapporten med GET ${path}/breaches/${subject.id}.`,
          };
    case 'instruction':
      return deadline.kind === 'instruction-answer'
        ? {
            summary: `Instruks ${subject.number} venter på svar: ${title}`,
            description: `Behandlingsansvarlig har gitt instruks nr. ${subject.number} «${subject.title}» (id ${subject.id}) under ${agreement}, som skal gjelde fra ${dateText(dayOf(deadline))}. Databehandler bekrefter den med POST ${path}/instructions/${subject.id}/acknowledgement, eller sier fra om at den strider mot personvernregelverket med POST ${path}/instructions/${subject.id}/objection.`,
          }
        : {
            summary: `Instruks ${subject.number} gjelder fra i dag: ${title}`,
            description: `Instruks nr. ${subject.number} «${subject.title}» (id ${subject.id}) under ${agreement} binder databehandler fra ${dateText(dayOf(deadline))}. Les den med GET ${path}/instructions/${subject.id}.`,
          };
  }
}

function agreementText(
  deadline: Deadline,
  { title, agreement, path, when }: { title: string; agreement: string; path: string; when: string },
): EventText {
  if (deadline.kind === 'signature') {
    return {
      summary: `Signaturfrist: ${title}`,
      description: `${agreement} må være signert av begge parter ${when}. Ellers utløper den og kan ikke lenger signeres. Signer med POST ${path}/signatures (med avtalens contentHash).`,
    };
  }
  if (deadline.kind === 'termination') {
    return {
      summary: `Avtalen opphører: ${title}`,
      description: `${agreement} gjelder ut denne dagen og opphører når den er omme (norsk tid). Behandlingsansvarlig velger tilbakelevering eller sletting med POST ${path}/data-disposition; databehandler bekrefter skriftlig at det er gjort med POST ${path}/data-disposition/attestation.`,
    };
  }
  const days = deadline.kind === 'termination-30-days' ? 30 : 7;
  return {
    summary: `${days} dager til avtalen opphører: ${title}`,
    description: `${agreement} er sagt opp og opphører om ${days} dager. Behandlingsansvarlig velger tilbakelevering eller sletting av opplysningene med POST ${path}/data-disposition, om det ikke er gjort.`,
  };
}
