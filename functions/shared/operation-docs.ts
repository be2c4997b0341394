/**
 * What the OpenAPI document says of each operation beyond the catalogue's one-line summary: what it
 * does for an integrator, the 4xx statuses it can really answer and why, and an example request body.
 * Data only, keyed by the catalogue's route ids; it is bundled into the getOpenApi function alone, so
 * it imports nothing at run time. Each status was read off the route's handler and the shared layers:
 * the shared middleware, which verifies the token itself (401 without a valid token, 403 without the
 * scope the method needs; the 503 of an unreachable key set the generator adds to every protected route), the
 * body parser (413 over 64 KiB, 415 when not JSON, 400 when the schema refuses it), `Idempotency-Key`
 * on every POST (400 malformed, 422 reused for another request, 409 while its first request runs),
 * `If-Match` (428, 412) and the domain's named errors. A malformed id in a path is never 400: ids are
 * UUIDs, and anything else names nothing (404).
 */

type ErrorStatus = '400' | '401' | '403' | '404' | '409' | '412' | '413' | '415' | '422' | '428';

export interface OperationDoc {
  /** What the operation does for an integrator: who may call it, in which state, what follows. */
  readonly description: string;
  /** The 4xx statuses this route can answer, each with its reason on this route. */
  readonly errors: Readonly<Partial<Record<ErrorStatus, string>>>;
  /** For a route with a JSON body: a realistic body its request schema accepts. */
  readonly requestExample?: unknown;
}

/** The shared middleware verifying the token (signature, issuer, audience, expiry) and reading its claims. */
const NO_VALID_TOKEN =
  'No bearer token, or one that is invalid or expired, or that names no valid organisation in consumer.ID';
const NO_READ_SCOPE =
  'The token carries neither the read nor the write scope (dpa:read, dpa:write by default)';
const NO_WRITE_SCOPE = 'The token lacks the write scope (dpa:write by default)';
const TOO_LARGE = 'The request body exceeds 64 KiB';
const NOT_JSON = 'A non-empty request body not sent as application/json';
const KEY_REUSED = 'The Idempotency-Key was already used by your organisation for a different request';
const KEY_RUNNING = 'a request with the same Idempotency-Key is still running';
const BAD_KEY = 'an Idempotency-Key header that is not 1-255 visible ASCII characters';
/** Rule 11: a non-party learns nothing, not even that the agreement exists. */
const NO_AGREEMENT =
  'No agreement with that id for your organisation: unknown, not an id this API issued, or your organisation is not a party (rule 11)';

/** A contact person, as `PUT .../contacts/{party}` and the create request take it. */
const CONTROLLER_CONTACT = { name: 'Kari Nordmann', email: 'kari@example.kommune.no', phone: '+4799999999' };
const PROCESSOR_CONTACT = { name: 'Ola Nordmann', email: 'ola@example.no', phone: '+4798888888' };
const CONTROLLER_SIGNATORY = { name: 'Kari Nordmann', title: 'Kommunedirektør' };
const PROCESSOR_SIGNATORY = { name: 'Per Hansen', title: 'Avdelingsdirektør' };
/** The shape of a content hash (rule 12); a real one comes from the agreement or amendment as read. */
const CONTENT_HASH = 'sha256:3f1c9a7e5b2d4c6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f';

export const operationDocs: Readonly<Record<string, OperationDoc>> = {
  createAgreement: {
    description:
      "Creates a DRAFT agreement between a controller and a processor (rules 1 and 2); either party may create it, and the caller's organisation must be one of the two. Answers 201 with the agreement, `Location` and `ETag`; notice period, breach notification hours and signature deadline default to 3 months, 36 hours and 30 days. Sub-processors listed here must meet the rules of a sub-processor request (rule 7) and are approved by the two signatures.",
    errors: {
      '400': `The body is invalid: malformed JSON, unknown fields, an invalid organisation number, the same organisation as controller and processor, a sub-processor outside the agreement's data types or outside the EEA without a transfer mechanism, or ${BAD_KEY}`,
      '401': NO_VALID_TOKEN,
      '403': `${NO_WRITE_SCOPE}, or your organisation is neither the controller nor the processor of the agreement it creates`,
      '409': `Only when ${KEY_RUNNING}`,
      '413': TOO_LARGE,
      '415': NOT_JSON,
      '422': KEY_REUSED,
    },
    requestExample: {
      title: 'Databehandleravtale for digital aktivitetsplan (KVP)',
      controller: { orgNumber: '954748634', name: 'Radøy kommune' },
      processor: { orgNumber: '889640782', name: 'Arbeids- og velferdsetaten' },
      cooperationAgreementRef: 'Samarbeidsavtale om Modia arbeidsrettet oppfølging',
      scope: {
        purpose: 'Arbeidsrettet oppfølging av deltakere i kvalifiseringsprogrammet',
        nature: 'Lagring og visning i digital aktivitetsplan',
        dataSubjectCategories: ['Deltakere i KVP', 'Veiledere'],
        personalDataTypes: ['Navn', 'Fødselsnummer', 'Adresse'],
        specialCategories: ['Helseopplysninger'],
      },
      securityMeasures: 'Felles sikkerhetsnormer for arbeids- og velferdsforvaltningen',
      contacts: { controller: CONTROLLER_CONTACT, processor: PROCESSOR_CONTACT },
      subProcessors: [
        {
          name: 'Driftspartner Vest AS',
          orgNumber: '974652358',
          address: 'Strandkaien 2, 5013 Bergen',
          processingLocation: { city: 'Bergen', countryCode: 'NO' },
          activities: 'Drift og overvåking av serverplattformen',
          personalDataTypes: ['Navn', 'Adresse'],
        },
      ],
      noticePeriodMonths: 3,
      breachNotificationHours: 36,
      signatureDeadlineDays: 30,
    },
  },

  listAgreements: {
    description:
      "Lists the agreements where the caller's organisation is the controller or the processor, as summaries (id, title, status, the caller's role, the parties), newest first. Filter with `status`; page with `limit` (1-100, default 25) and the `cursor` of the previous page's `nextCursor`.",
    errors: {
      '400':
        'An unknown query parameter, a status that is not an agreement state, a limit outside 1-100, or a cursor not from this listing',
      '401': NO_VALID_TOKEN,
      '403': NO_READ_SCOPE,
    },
  },

  getAgreement: {
    description:
      'Reads one agreement with its signatures, dates and current state, and its `ETag` (the record version `If-Match` takes); either party may read it, and the read is logged in the audit log (rule 10). With `?on=YYYY-MM-DD` the content, content hash and signatures are those in force at the end of that day in Oslo (rule 13).',
    errors: {
      '400': 'An unknown query parameter, or `on` that is not a calendar date or lies after today',
      '401': NO_VALID_TOKEN,
      '403': NO_READ_SCOPE,
      '404': `${NO_AGREEMENT}; or, with \`on\`, no content of the agreement was in force that day`,
    },
  },

  getAgreementDocument: {
    description:
      'The agreement as a PDF in bokmål with the content hash on every page, for either party to file in its archive (rule 12). `?version=N` renders content version N with the signatures it was signed with (rule 13); without it, the current content (a draft renders as the version 1 it will be). The read is logged in the audit log.',
    errors: {
      '400': 'An unknown query parameter, or a version that is not a whole number of at least 1',
      '401': NO_VALID_TOKEN,
      '403': NO_READ_SCOPE,
      '404': `${NO_AGREEMENT}; or the agreement has no content version \`version\``,
    },
  },

  patchAgreement: {
    description:
      'Edits a DRAFT: either party sends the fields to change, and `If-Match` with the ETag it read. The edited draft must still satisfy every rule of a new agreement; the parties themselves cannot change. Content is frozen once submitted for signature (rule 3).',
    errors: {
      '400':
        'The body is invalid: malformed JSON, unknown fields, no field at all, or an edit that leaves the draft breaking a rule of a new agreement',
      '401': NO_VALID_TOKEN,
      '403': NO_WRITE_SCOPE,
      '404': NO_AGREEMENT,
      '409': 'The agreement is no longer a DRAFT',
      '412':
        'The If-Match does not name the current ETag, or another request changed the agreement meanwhile',
      '413': TOO_LARGE,
      '415': NOT_JSON,
      '428': 'No If-Match header',
    },
    requestExample: {
      title: 'Databehandleravtale for digital aktivitetsplan og Modia (KVP)',
      securityMeasures:
        'Felles sikkerhetsnormer for arbeids- og velferdsforvaltningen; tofaktorautentisering for alle veiledere',
      noticePeriodMonths: 6,
    },
  },

  putContact: {
    description:
      "Replaces the caller's own party's contact person (rule 13, 003 §16): the controller replaces `/contacts/controller`, the processor `/contacts/processor`, with `If-Match` and no signature, from submission until the agreement is closed. The other party is notified (`contact.changed`); the same contact again changes nothing.",
    errors: {
      '400':
        'The body is invalid: malformed JSON, unknown fields, or an invalid name, e-mail address or phone number',
      '401': NO_VALID_TOKEN,
      '403': `${NO_WRITE_SCOPE}, or the contact is the other party's`,
      '404': `${NO_AGREEMENT}; or \`{party}\` is neither controller nor processor`,
      '409': 'The agreement is a DRAFT (edit its contacts with PATCH), or CANCELLED, EXPIRED or CLOSED',
      '412':
        'The If-Match does not name the current ETag, or another request changed the agreement meanwhile',
      '413': TOO_LARGE,
      '415': NOT_JSON,
      '428': 'No If-Match header',
    },
    requestExample: { name: 'Ingrid Berg', email: 'ingrid.berg@example.kommune.no', phone: '+4795512345' },
  },

  proposeAmendment: {
    description:
      'Either party proposes a numbered amendment of an agreement IN_FORCE or in its NOTICE_PERIOD (rule 13): the changes (not the parties, nor Vedlegg 3), a reason, an optional agreed `effectiveFrom` and signature deadline (default 30 days). Answers 201 with the amendment AWAITING_SIGNATURES and `Location`; both parties are notified and the amendment workflow starts. One amendment is open at a time.',
    errors: {
      '400': `The body is invalid (unknown fields, no change, two different effectiveFrom dates), the changes leave the content as it is, effectiveFrom lies before today or after terminatesOn, or ${BAD_KEY}`,
      '401': NO_VALID_TOKEN,
      '403': NO_WRITE_SCOPE,
      '404': NO_AGREEMENT,
      '409': `The agreement is not IN_FORCE or NOTICE_PERIOD, another amendment is still open, a new scope leaves approved sub-processors' data types outside it, or ${KEY_RUNNING}`,
      '413': TOO_LARGE,
      '415': NOT_JSON,
      '422': KEY_REUSED,
    },
    requestExample: {
      changes: {
        breachNotificationHours: 24,
        securityMeasures:
          'Felles sikkerhetsnormer for arbeids- og velferdsforvaltningen; tofaktorautentisering for alle veiledere',
      },
      reason: 'Kortere varslingsfrist og skjerpet tilgangskontroll etter ny risikovurdering',
      signatureDeadlineDays: 30,
    },
  },

  listAmendments: {
    description:
      'Every amendment of the agreement in the order of their numbers, with status and signatures, whatever became of them (rule 13). Either party may read them; the read is logged in the audit log.',
    errors: { '401': NO_VALID_TOKEN, '403': NO_READ_SCOPE, '404': NO_AGREEMENT },
  },

  getAmendment: {
    description:
      'One amendment with its changes, content hash, status, deadline and signatures (rule 13); the `Location` of a new proposal. Either party may read it; the read is logged in the audit log.',
    errors: {
      '401': NO_VALID_TOKEN,
      '403': NO_READ_SCOPE,
      '404': `${NO_AGREEMENT}; or the agreement has no amendment with that id`,
    },
  },

  signAmendment: {
    description:
      "Signs an amendment on behalf of the caller's party, naming the hash of the amended content it read (rules 12 and 13); each party signs once, in any order, before the amendment's deadline, while the agreement is IN_FORCE or in its NOTICE_PERIOD. The second signature puts the amendment in force at once (the content becomes the next version) when its effective date has come, else leaves it SIGNED until that day. Answers 201; both parties are notified and the amendment workflow continues.",
    errors: {
      '400': `The body is invalid, signedOn lies in the future or before the proposal, or ${BAD_KEY}`,
      '401': NO_VALID_TOKEN,
      '403': NO_WRITE_SCOPE,
      '404': `${NO_AGREEMENT}; or the agreement has no amendment with that id`,
      '409': `The amendment is not AWAITING_SIGNATURES or its deadline has passed, the agreement is not IN_FORCE or NOTICE_PERIOD, your party has signed already, contentHash is not the amended content's, the content it amends is no longer in force, the new scope would leave approved sub-processors outside it, or ${KEY_RUNNING}`,
      '413': TOO_LARGE,
      '415': NOT_JSON,
      '422': KEY_REUSED,
    },
    requestExample: {
      signatory: PROCESSOR_SIGNATORY,
      place: 'Oslo',
      contentHash: CONTENT_HASH,
    },
  },

  withdrawAmendment: {
    description:
      'The party that proposed an amendment withdraws it while it awaits signatures (rule 13), with an optional reason. The amendment becomes WITHDRAWN, both parties are notified, and the amendment workflow ends.',
    errors: {
      '400': `The body is invalid, or ${BAD_KEY}`,
      '401': NO_VALID_TOKEN,
      '403': `${NO_WRITE_SCOPE}, or your party did not propose the amendment`,
      '404': `${NO_AGREEMENT}; or the agreement has no amendment with that id`,
      '409': `The amendment is no longer AWAITING_SIGNATURES, or ${KEY_RUNNING}`,
      '413': TOO_LARGE,
      '415': NOT_JSON,
      '422': KEY_REUSED,
    },
    requestExample: { reason: 'Endringen tas inn i ny avtale ved neste anskaffelse' },
  },

  listVersions: {
    description:
      'Every content version of the agreement (rule 13): 1 as first signed, 2 after the first amendment took effect, and so on, each with its content hash, effective date, amendment and signatures, without the content. Empty until the agreement enters into force. Either party may read them; the read is logged in the audit log.',
    errors: { '401': NO_VALID_TOKEN, '403': NO_READ_SCOPE, '404': NO_AGREEMENT },
  },

  getVersion: {
    description:
      'One content version with its content (rule 13); `{n}` is the content version number, not the record version of the ETag. Either party may read it; the read is logged in the audit log.',
    errors: {
      '401': NO_VALID_TOKEN,
      '403': NO_READ_SCOPE,
      '404': `${NO_AGREEMENT}; or the agreement has no content version \`n\` (none before it enters into force)`,
    },
  },

  submitAgreement: {
    description:
      'Either party submits a DRAFT for signature (rules 3 and 4): it becomes AWAITING_SIGNATURES, its content is frozen, and the signature deadline is set to today in Oslo plus its signatureDeadlineDays. The signing workflow starts and both parties are notified (`agreement.awaiting-signatures`).',
    errors: {
      '400': `A body other than none or {}: malformed JSON or any field at all; or ${BAD_KEY}`,
      '401': NO_VALID_TOKEN,
      '403': NO_WRITE_SCOPE,
      '404': NO_AGREEMENT,
      '409': `The agreement is not a DRAFT, or ${KEY_RUNNING}`,
      '413': TOO_LARGE,
      '415': NOT_JSON,
      '422': KEY_REUSED,
    },
    requestExample: {},
  },

  signAgreement: {
    description:
      "Signs the agreement on behalf of the caller's party, naming the content hash the signatory read (rules 3 and 12); each party signs once, in any order, while it is AWAITING_SIGNATURES and before its signature deadline (rule 4). `signedOn` defaults to today and may not lie in the future nor before the submission. The second signature puts the agreement IN_FORCE from the later signature's date, with Vedlegg 3 holding the draft's sub-processors; answers 201, both parties are notified and the signing workflow continues.",
    errors: {
      '400': `The body is invalid, signedOn lies in the future or before the submission, or ${BAD_KEY}`,
      '401': NO_VALID_TOKEN,
      '403': NO_WRITE_SCOPE,
      '404': NO_AGREEMENT,
      '409': `The agreement is not AWAITING_SIGNATURES, its signature deadline has passed, your party has signed already, contentHash is not the agreement's, or ${KEY_RUNNING}`,
      '413': TOO_LARGE,
      '415': NOT_JSON,
      '422': KEY_REUSED,
    },
    requestExample: {
      signatory: CONTROLLER_SIGNATORY,
      place: 'Radøy',
      contentHash: CONTENT_HASH,
    },
  },

  cancelAgreement: {
    description:
      'The party that created the agreement withdraws it before it enters into force: a DRAFT or an agreement AWAITING_SIGNATURES becomes CANCELLED, with an optional reason. A waiting signing workflow ends, and both parties are notified (`agreement.cancelled`).',
    errors: {
      '400': `The body is invalid, or ${BAD_KEY}`,
      '401': NO_VALID_TOKEN,
      '403': `${NO_WRITE_SCOPE}, or your organisation did not create the agreement`,
      '404': NO_AGREEMENT,
      '409': `The agreement is no longer DRAFT or AWAITING_SIGNATURES, or ${KEY_RUNNING}`,
      '413': TOO_LARGE,
      '415': NOT_JSON,
      '422': KEY_REUSED,
    },
    requestExample: { reason: 'Opprettet ved en feil; erstattes av en ny avtale' },
  },

  getHistory: {
    description:
      'Every state change and event of the agreement, oldest first (rule 10), paged with `limit` (1-100, default 50) and `cursor`. Either party may read it; the read is logged in the audit log.',
    errors: {
      '400': 'An unknown query parameter, a limit outside 1-100, or a cursor not from this listing',
      '401': NO_VALID_TOKEN,
      '403': NO_READ_SCOPE,
      '404': NO_AGREEMENT,
    },
  },

  getAuditLog: {
    description:
      'Every read and change of the agreement: who (organisation, client, person if known, a vendor acting for it), what and when, oldest first (rule 10), paged with `limit` (1-100, default 50) and `cursor`. Either party may read it; reading it is itself logged.',
    errors: {
      '400': 'An unknown query parameter, a limit outside 1-100, or a cursor not from this listing',
      '401': NO_VALID_TOKEN,
      '403': NO_READ_SCOPE,
      '404': NO_AGREEMENT,
    },
  },

  reportBreach: {
    description:
      "Either party reports a personal data breach (avvik) to the other in writing (rules 9 and 16): the processor with the content of 003 §10 a-f, the controller about an incident the processor must help contain (000 §14), under an agreement IN_FORCE, in its NOTICE_PERIOD, TERMINATED or RETAINED_UNDER_LAW. Who is affected is a count or a category: free text holding a national identity number is refused. Answers 201 with the report; for the processor's, its deadline (awareness plus the agreed hours) and whether it came late (a late report is accepted and marked so); `outsideScope` lists the personal data categories the agreement's scope does not cover (accepted, and flagged to the controller). The controller's 72 hours towards Datatilsynet run from when it became aware: when the processor's report arrived, or its own `becameAwareAt`; the breach's deadline workflow starts with the report and reminds the controller at 24 and 48 hours, escalates to both at 66 and records the deadline as passed at 72, unless the decision comes first. Both parties are notified.",
    errors: {
      '400': `The body is invalid (a national identity number in free text, among others), becameAwareAt lies in the future, subProcessorId names no sub-processor request of the agreement, or ${BAD_KEY}`,
      '401': NO_VALID_TOKEN,
      '403': NO_WRITE_SCOPE,
      '404': NO_AGREEMENT,
      '409': `The agreement has never been in force (DRAFT, AWAITING_SIGNATURES, CANCELLED, EXPIRED) or is CLOSED, or ${KEY_RUNNING}`,
      '413': TOO_LARGE,
      '415': NOT_JSON,
      '422': KEY_REUSED,
    },
    requestExample: {
      becameAwareAt: '2026-11-30T08:30:00+01:00',
      nature: 'En e-post med utskrift fra aktivitetsplanen ble sendt til feil mottaker hos en annen kommune',
      severity: 'MEDIUM',
      dataSubjectCategories: ['Deltakere i KVP'],
      approximateDataSubjects: 3,
      affectedIdentities: 'Tre deltakere i kvalifiseringsprogrammet ved NAV Radøy',
      personalDataCategories: ['Navn', 'Fødselsnummer'],
      approximateRecords: 3,
      contactPoint: PROCESSOR_CONTACT,
      likelyConsequences:
        'Uvedkommende kan ha fått kjennskap til at de berørte deltar i kvalifiseringsprogrammet',
      measuresTaken: 'Mottakeren har bekreftet sletting av e-posten; utsendelsesrutinen er stanset',
      measuresProposed: 'Automatisk kontroll av mottakeradresse før utsendelse',
    },
  },

  addBreachUpdate: {
    description:
      "The party that reported a breach supplements its report (rule 16): new `facts`, `measuresTaken`, or `corrections` of its severity, categories and figures; at least one of them, free text without national identity numbers. Supplements are numbered in the order made and kept on the report (`updates`), before and after the controller's decision; corrected personal data categories outside the agreement's scope are flagged (`outsideScope`). Answers 201 with the supplement; the other party is told.",
    errors: {
      '400': `The body is invalid (empty, a national identity number in free text, among others), or ${BAD_KEY}`,
      '401': NO_VALID_TOKEN,
      '403': `${NO_WRITE_SCOPE}, or the caller is not the party that reported the breach`,
      '404': `${NO_AGREEMENT}; or the agreement has no breach case with that id (reports recorded before breach cases have none)`,
      '409': `Another supplement was added at the same moment (send again), or ${KEY_RUNNING}`,
      '413': TOO_LARGE,
      '415': NOT_JSON,
      '422': KEY_REUSED,
    },
    requestExample: {
      facts: 'Ytterligere to brev ble sendt til feil adresse samme dag',
      measuresTaken: 'Adresseregisteret er rettet og utsendelsen kontrollert manuelt',
      corrections: { approximateDataSubjects: 3, approximateRecords: 3 },
    },
  },

  askBreachQuestion: {
    description:
      "The party that received a breach report asks about it (rule 16): the controller about the processor's report, the processor about the controller's own. Questions are numbered in the order asked and kept on the report (`questions`) with their answers; the reporting party is told to answer. Answers 201 with the question; `Location` is the breach.",
    errors: {
      '400': `The body is invalid (a national identity number in the question, among others), or ${BAD_KEY}`,
      '401': NO_VALID_TOKEN,
      '403': `${NO_WRITE_SCOPE}, or the caller reported the breach: the other party asks`,
      '404': `${NO_AGREEMENT}; or the agreement has no breach case with that id (reports recorded before breach cases have none)`,
      '409': `Another question was asked at the same moment (send again), or ${KEY_RUNNING}`,
      '413': TOO_LARGE,
      '415': NOT_JSON,
      '422': KEY_REUSED,
    },
    requestExample: { question: 'Hvor mange av de berørte er under 18 år, og er foresatte varslet?' },
  },

  answerBreachQuestion: {
    description:
      'The party that reported a breach answers a question about it, once (rule 16); `{question}` is its number. The asker is told. Answers 200 with the question and its answer.',
    errors: {
      '400': `The body is invalid (a national identity number in the answer, among others), or ${BAD_KEY}`,
      '401': NO_VALID_TOKEN,
      '403': `${NO_WRITE_SCOPE}, or the caller did not report the breach: the reporting party answers`,
      '404': `${NO_AGREEMENT}; or the agreement has no breach case with that id, or the breach no question with that number`,
      '409': `The question was answered already, or ${KEY_RUNNING}`,
      '413': TOO_LARGE,
      '415': NOT_JSON,
      '422': KEY_REUSED,
    },
    requestExample: { answer: 'To av de tre er under 18 år; foresatte ble varslet per brev 2. desember' },
  },

  decideBreach: {
    description:
      'The controller records, once, its decision on a breach (rule 16, GDPR Art. 33 and 34): whether Datatilsynet was notified (`notifiedAt` and the case `reference`) or why not, and whether the data subjects were told (`informedAt`) or why not. A time may not lie in the future nor before the breach came to light. After the 72 hours (`supervisoryAuthorityDeadline`), by the time of the decision or of the notification it names, `delayReason` is required and the decision is marked `late`. Answers 201 with the decision, which the breach carries from then on; the processor is told.',
    errors: {
      '400': `The body is invalid, a time in the future or before the breach came to light, no delayReason after the 72 hours, or ${BAD_KEY}`,
      '401': NO_VALID_TOKEN,
      '403': `${NO_WRITE_SCOPE}, or the caller is the processor: only the controller decides`,
      '404': `${NO_AGREEMENT}; or the agreement has no breach case with that id (reports recorded before breach cases have none)`,
      '409': `The controller decided on this breach already, or ${KEY_RUNNING}`,
      '413': TOO_LARGE,
      '415': NOT_JSON,
      '422': KEY_REUSED,
    },
    requestExample: {
      datatilsynet: { notified: true, notifiedAt: '2026-12-01T14:05:00+01:00', reference: '26/01234' },
      dataSubjects: {
        informed: false,
        reason: 'Mottakeren har slettet e-posten; lav risiko for de registrerte',
      },
    },
  },

  listBreaches: {
    description:
      'Every breach reported under the agreement, oldest first, with deadlines and whether each came late (rule 9). Either party may read them; the read is logged in the audit log.',
    errors: { '401': NO_VALID_TOKEN, '403': NO_READ_SCOPE, '404': NO_AGREEMENT },
  },

  getBreach: {
    description:
      'One breach report with its deadlines (rule 9); the `Location` of a new report. Either party may read it; the read is logged in the audit log.',
    errors: {
      '401': NO_VALID_TOKEN,
      '403': NO_READ_SCOPE,
      '404': `${NO_AGREEMENT}; or the agreement has no breach report with that id`,
    },
  },

  planAudit: {
    description:
      'The controller plans an oversight audit of the processor (rule 16, 003 §11): `type` DOCUMENT_REVIEW, ON_SITE or THIRD_PARTY_REPORT, its `scope`, and `dueOn` (today or later); with `recurrence.everyMonths` (1-60) it is the first of a recurring plan, whose next audit is planned when this one is closed. While the agreement is IN_FORCE or NOTICE_PERIOD. Answers 201 with the audit (PLANNED) and its `Location`; the processor is told, both parties are reminded 14 days before the due date and weekly once it has passed while the audit is open, and the due date is in both calendar feeds.',
    errors: {
      '400': `The body is invalid (a due date in the past, a national identity number in free text, among others), or ${BAD_KEY}`,
      '401': NO_VALID_TOKEN,
      '403': `${NO_WRITE_SCOPE}, or the caller is not the controller`,
      '404': NO_AGREEMENT,
      '409': `The agreement is not IN_FORCE or NOTICE_PERIOD (with its current status), or ${KEY_RUNNING}`,
      '413': TOO_LARGE,
      '415': NOT_JSON,
      '422': KEY_REUSED,
    },
    requestExample: {
      type: 'DOCUMENT_REVIEW',
      scope: 'Tilgangsstyring og logging i fagsystemet; rutiner for sletting',
      dueOn: '2027-03-01',
      recurrence: { everyMonths: 12 },
    },
  },

  listAudits: {
    description:
      'Every oversight audit of the agreement (rule 16), by due date, each with its material (documents without their content) and findings in order. Either party may read them; the read is logged in the audit log.',
    errors: { '401': NO_VALID_TOKEN, '403': NO_READ_SCOPE, '404': NO_AGREEMENT },
  },

  getAudit: {
    description:
      'One oversight audit (rule 16) with its material, the content of small documents included, and its findings; the `Location` of a new audit. Either party may read it; the read is logged in the audit log.',
    errors: {
      '401': NO_VALID_TOKEN,
      '403': NO_READ_SCOPE,
      '404': `${NO_AGREEMENT}; or the agreement has no oversight audit with that id`,
    },
  },

  submitAuditMaterial: {
    description:
      'The processor submits material for an open oversight audit (rule 16): `documents` as metadata (`name`, `sha256`, `size`, `mediaType`) and, for small files, their `content` in base64 (at most 32 KiB decoded for all documents of one submission; it must match `size` and `sha256`), and/or a `thirdPartyReport` summary (auditor, standard, report date, period, summary, opinion), which a THIRD_PARTY_REPORT audit requires. Submissions are numbered in order; the first moves the audit to MATERIAL_SUBMITTED. Answers 201 with the submission; the controller is told.',
    errors: {
      '400': `The body is invalid (content that does not match its size or SHA-256, content above 32 KiB, a THIRD_PARTY_REPORT audit without a report, among others), or ${BAD_KEY}`,
      '401': NO_VALID_TOKEN,
      '403': `${NO_WRITE_SCOPE}, or the caller is not the processor`,
      '404': `${NO_AGREEMENT}; or the agreement has no oversight audit with that id`,
      '409': `The audit is closed, the agreement is not IN_FORCE or NOTICE_PERIOD, or the audit changed at the same moment (send again); or ${KEY_RUNNING}`,
      '413': TOO_LARGE,
      '415': NOT_JSON,
      '422': KEY_REUSED,
    },
    requestExample: {
      documents: [
        {
          name: 'Tilgangsrutine.txt',
          sha256: 'f0e4c2f76c58916ec258f246851bea091d14d4247a2fc3e18694461b1816e13b',
          size: 4,
          mediaType: 'text/plain',
          content: 'YXNkZg==',
        },
      ],
      note: 'Rutinen gjelder fra 1. januar',
    },
  },

  recordAuditFinding: {
    description:
      'The controller records a finding of an open oversight audit (rule 16): `description`, `deadline` (today or later), the party `responsible` for closing it, and optionally its `severity`. Findings are numbered in order. Answers 201 with the finding (OPEN); the processor is told, the responsible party is reminded 7 days before the deadline and both weekly after it while it is open, and the deadline is in both calendar feeds.',
    errors: {
      '400': `The body is invalid (a deadline in the past, a national identity number in free text, among others), or ${BAD_KEY}`,
      '401': NO_VALID_TOKEN,
      '403': `${NO_WRITE_SCOPE}, or the caller is not the controller`,
      '404': `${NO_AGREEMENT}; or the agreement has no oversight audit with that id`,
      '409': `The audit is closed, the agreement is not IN_FORCE or NOTICE_PERIOD, or another finding was recorded at the same moment (send again); or ${KEY_RUNNING}`,
      '413': TOO_LARGE,
      '415': NOT_JSON,
      '422': KEY_REUSED,
    },
    requestExample: {
      description: 'Tilgang for sluttede medarbeidere fjernes ikke innen fastsatt tid',
      deadline: '2027-04-01',
      responsible: 'processor',
      severity: 'MEDIUM',
    },
  },

  closeAuditFinding: {
    description:
      "The party responsible for a finding records, once, how it was closed (rule 16): `howClosed` and `closedOn` (today when absent; not in the future nor before the finding was recorded). `findingId` is the finding's number. A finding closed after its deadline is marked `closedLate`. Answers 201 with the closed finding; its reminders and calendar entry end, and the other party is told.",
    errors: {
      '400': `The body is invalid, or ${BAD_KEY}`,
      '401': NO_VALID_TOKEN,
      '403': `${NO_WRITE_SCOPE}, or the caller is not the party responsible for the finding`,
      '404': `${NO_AGREEMENT}; or the audit has no finding with that number`,
      '409': `The finding is closed already, or the agreement is not IN_FORCE or NOTICE_PERIOD; or ${KEY_RUNNING}`,
      '413': TOO_LARGE,
      '415': NOT_JSON,
      '422': KEY_REUSED,
    },
    requestExample: {
      howClosed: 'Automatisk fjerning av tilgang ved sluttdato er innført og testet',
      closedOn: '2027-03-20',
    },
  },

  closeAudit: {
    description:
      "The controller closes an oversight audit with its `conclusion` (rule 16), once every finding is closed; after its due date it is marked `closedLate`. An audit of a recurring plan plans the next in the same transaction: same type, scope and period, due `everyMonths` after the plan's previous due date (counted from the first, end-of-month rule; dates already passed are skipped), unless `endRecurrence` is true or the agreement terminates before that date (`recurrenceEnded` says why). Answers 200 with `{audit, next?}`; the processor is told, the closed audit's reminders and calendar entry end and the next one's begin.",
    errors: {
      '400': `The body is invalid, or ${BAD_KEY}`,
      '401': NO_VALID_TOKEN,
      '403': `${NO_WRITE_SCOPE}, or the caller is not the controller`,
      '404': `${NO_AGREEMENT}; or the agreement has no oversight audit with that id`,
      '409': `The audit is closed already or has open findings, the agreement is not IN_FORCE or NOTICE_PERIOD, or the audit changed at the same moment; or ${KEY_RUNNING}`,
      '413': TOO_LARGE,
      '415': NOT_JSON,
      '422': KEY_REUSED,
    },
    requestExample: {
      conclusion: 'Tilgangsstyringen er i samsvar med avtalen etter at funn 1 er lukket',
    },
  },

  giveInstruction: {
    description:
      'The controller gives the processor a documented instruction (rule 16, 003 §4 and §9; GDPR Art. 28(3)(a)): `topic` (THIRD_COUNTRY_TRANSFER, SECURITY, DELETION, PROCESSING or OTHER), `title`, `text` and `effectiveFrom` (today in Oslo when omitted, never before). Only while the agreement is or has been in force (IN_FORCE through RETAINED_UNDER_LAW). Instructions are numbered in the order given. Answers 201 with the instruction, AWAITING_ACKNOWLEDGEMENT, and its `Location`; the processor is told (`instruction.given`) and reminded weekly until it acknowledges or objects.',
    errors: {
      '400': `The body is invalid (effectiveFrom before today, a national identity number in the text, among others), or ${BAD_KEY}`,
      '401': NO_VALID_TOKEN,
      '403': `${NO_WRITE_SCOPE}, or the caller is the processor: only the controller gives instructions`,
      '404': NO_AGREEMENT,
      '409': `The agreement is not and has not been in force (its status in currentStatus), another instruction was given at the same moment (send again), or ${KEY_RUNNING}`,
      '413': TOO_LARGE,
      '415': NOT_JSON,
      '422': KEY_REUSED,
    },
    requestExample: {
      topic: 'THIRD_COUNTRY_TRANSFER',
      title: 'Ingen overføring til tredjeland',
      text: 'Personopplysningene skal ikke overføres til eller gjøres tilgjengelige fra land utenfor EØS, heller ikke for fjernsupport.',
      effectiveFrom: '2027-01-01',
    },
  },

  listInstructions: {
    description:
      "The controller's instructions under the agreement in the order given, each with its status, the processor's acknowledgement or objection, the controller's withdrawal or confirmation, and `inEffectFrom` once it binds; `?status=` keeps one status, `?inEffectOn=YYYY-MM-DD` those binding the processor that day (acknowledged or confirmed, in effect from then or earlier). Either party may read them; the read is logged in the audit log.",
    errors: {
      '400': 'An unknown query parameter or status, or an inEffectOn that is not a calendar date',
      '401': NO_VALID_TOKEN,
      '403': NO_READ_SCOPE,
      '404': NO_AGREEMENT,
    },
  },

  getInstruction: {
    description:
      'One instruction (the `Location` of a new one) with its answers (rule 16). Either party may read it; the read is logged in the audit log.',
    errors: {
      '401': NO_VALID_TOKEN,
      '403': NO_READ_SCOPE,
      '404': `${NO_AGREEMENT}; or the agreement has no instruction with that id`,
    },
  },

  acknowledgeInstruction: {
    description:
      'The processor acknowledges an instruction AWAITING_ACKNOWLEDGEMENT (rule 16): ACKNOWLEDGED, binding from its `effectiveFrom` (`inEffectFrom`); an optional `comment`. The controller is told; the weekly reminder ends. Answers 200 with the instruction.',
    errors: {
      '400': `The body is invalid (a national identity number in the comment, among others), or ${BAD_KEY}`,
      '401': NO_VALID_TOKEN,
      '403': `${NO_WRITE_SCOPE}, or the caller is the controller: only the processor acknowledges`,
      '404': `${NO_AGREEMENT}; or the agreement has no instruction with that id`,
      '409': `The instruction no longer awaits acknowledgement (answered or withdrawn, also by a request at the same moment; its status in currentStatus), the agreement is no longer one that takes instructions, or ${KEY_RUNNING}`,
      '413': TOO_LARGE,
      '415': NOT_JSON,
      '422': KEY_REUSED,
    },
    requestExample: { comment: 'Mottatt; rutinene for fjernsupport er endret fra 1. januar.' },
  },

  objectToInstruction: {
    description:
      'The processor tells the controller that following an instruction AWAITING_ACKNOWLEDGEMENT would break data protection law (rule 16, 003 §4): `reason` and optionally the `legalReference`. The instruction is OBJECTED and held (not in effect); the controller is told (`instruction.objected`) and reminded weekly until it withdraws or confirms it. Answers 200 with the instruction.',
    errors: {
      '400': `The body is invalid (no reason, a national identity number in it, among others), or ${BAD_KEY}`,
      '401': NO_VALID_TOKEN,
      '403': `${NO_WRITE_SCOPE}, or the caller is the controller: only the processor objects`,
      '404': `${NO_AGREEMENT}; or the agreement has no instruction with that id`,
      '409': `The instruction no longer awaits acknowledgement (answered or withdrawn, also by a request at the same moment; its status in currentStatus), the agreement is no longer one that takes instructions, or ${KEY_RUNNING}`,
      '413': TOO_LARGE,
      '415': NOT_JSON,
      '422': KEY_REUSED,
    },
    requestExample: {
      reason: 'Instruksen ber oss lagre kopier hos en leverandør i USA uten overføringsgrunnlag.',
      legalReference: 'GDPR art. 44',
    },
  },

  withdrawInstruction: {
    description:
      'The controller withdraws an instruction AWAITING_ACKNOWLEDGEMENT or OBJECTED (rule 16), with an optional `reason`: WITHDRAWN, never in effect. The processor is told; the pending reminder ends. Answers 200 with the instruction.',
    errors: {
      '400': `The body is invalid (a national identity number in the reason, among others), or ${BAD_KEY}`,
      '401': NO_VALID_TOKEN,
      '403': `${NO_WRITE_SCOPE}, or the caller is the processor: only the controller withdraws`,
      '404': `${NO_AGREEMENT}; or the agreement has no instruction with that id`,
      '409': `The instruction was acknowledged, confirmed or withdrawn already (also by a request at the same moment; its status in currentStatus), the agreement is no longer one that takes instructions, or ${KEY_RUNNING}`,
      '413': TOO_LARGE,
      '415': NOT_JSON,
      '422': KEY_REUSED,
    },
    requestExample: { reason: 'Vi er enige i innsigelsen og gir en ny instruks.' },
  },

  confirmInstruction: {
    description:
      "The controller upholds an instruction the processor OBJECTED to, with its `reasons` (rule 16, 003 §4): CONFIRMED, binding from its `effectiveFrom` or today (Oslo), whichever is later (`inEffectFrom`). The processor is told (`instruction.confirmed`); the controller's reminder ends. Answers 200 with the instruction.",
    errors: {
      '400': `The body is invalid (no reasons, a national identity number in them, among others), or ${BAD_KEY}`,
      '401': NO_VALID_TOKEN,
      '403': `${NO_WRITE_SCOPE}, or the caller is the processor: only the controller confirms`,
      '404': `${NO_AGREEMENT}; or the agreement has no instruction with that id`,
      '409': `The instruction is not OBJECTED (awaiting acknowledgement, acknowledged, withdrawn or confirmed already, also by a request at the same moment; its status in currentStatus), the agreement is no longer one that takes instructions, or ${KEY_RUNNING}`,
      '413': TOO_LARGE,
      '415': NOT_JSON,
      '422': KEY_REUSED,
    },
    requestExample: {
      reasons:
        'Leverandøren er omfattet av EU–US Data Privacy Framework; overføringen bygger på adekvansbeslutningen.',
    },
  },

  forwardRequest: {
    description:
      "The processor forwards a request it received that the controller must answer (rule 16, 003 §5, 000 §11): from a data subject (`from: DATA_SUBJECT` with its `kind`: ACCESS, RECTIFICATION, ERASURE, RESTRICTION, PORTABILITY or OBJECTION) or from Datatilsynet (`from: DATATILSYNET` with the `datatilsynetDeadline` its letter gives), with when it was received (`receivedAt`, not in the future), what was asked (`asked`) and an optional `reference`; free text without national identity numbers. The controller's `answerDeadline` is computed: for a data subject the day received (Oslo) plus one month, a day the month lacks giving its last day (31 January gives the end of February; GDPR Art. 12(3)); for Datatilsynet its own deadline. `forwardedAfterDays` tells how long the processor took. Under an agreement that is or has been in force (as breach reports). Answers 201 with the request (`status: OPEN`, `tasks: []`) and `Location`; the controller is told, reminded 7 days and 1 day before the deadline and weekly once it has passed, and the deadline is in both parties' calendar feeds.",
    errors: {
      '400': `The body is invalid (a data subject's request without kind or with a datatilsynetDeadline, Datatilsynet's without its deadline or with a kind, a deadline before the day received, receivedAt in the future, a national identity number in free text, among others), or ${BAD_KEY}`,
      '401': NO_VALID_TOKEN,
      '403': `${NO_WRITE_SCOPE}, or the caller is the controller: the processor forwards`,
      '404': NO_AGREEMENT,
      '409': `The agreement is not and has not been in force (the current status is in the problem), or ${KEY_RUNNING}`,
      '413': TOO_LARGE,
      '415': NOT_JSON,
      '422': KEY_REUSED,
    },
    requestExample: {
      from: 'DATA_SUBJECT',
      kind: 'ACCESS',
      receivedAt: '2027-01-31T10:15:00+01:00',
      asked: 'Innbygger ber om innsyn i alle opplysninger registrert om seg i aktivitetsplanen',
      reference: 'KS-2027-0042',
    },
  },

  listForwardedRequests: {
    description:
      'Every request the processor forwarded under the agreement, in the order forwarded, each with its deadline, extension, outcome and assistance tasks in order (rule 16). Either party may read them; the read is logged in the audit log.',
    errors: { '401': NO_VALID_TOKEN, '403': NO_READ_SCOPE, '404': NO_AGREEMENT },
  },

  getForwardedRequest: {
    description:
      'One forwarded request with its deadline, extension, outcome and assistance tasks in order (rule 16); the `Location` of a new one. Either party may read it; the read is logged in the audit log.',
    errors: {
      '401': NO_VALID_TOKEN,
      '403': NO_READ_SCOPE,
      '404': `${NO_AGREEMENT}; or the agreement has no forwarded request with that id`,
    },
  },

  extendRequestDeadline: {
    description:
      "The controller extends its deadline to answer a data subject by one or two further months (`months`), with its `reason` (GDPR Art. 12(3): the data subject must be told within the first month): once, while the request is open, and no later than the original deadline. The new `answerDeadline` counts from the day received (31 January extended by two months gives 30 April). Datatilsynet's deadline is not extended here. Answers 200 with the request (without its tasks); the processor is told, the reminders and calendar entries follow the new deadline.",
    errors: {
      '400': `The body is invalid (months other than 1 or 2, a missing reason, a national identity number, among others), or ${BAD_KEY}`,
      '401': NO_VALID_TOKEN,
      '403': `${NO_WRITE_SCOPE}, or the caller is the processor: the controller extends`,
      '404': `${NO_AGREEMENT}; or the agreement has no forwarded request with that id`,
      '409': `The request is Datatilsynet's, already extended, answered (CLOSED), or its first month has ended; or another request changed it at the same moment; or ${KEY_RUNNING}`,
      '413': TOO_LARGE,
      '415': NOT_JSON,
      '422': KEY_REUSED,
    },
    requestExample: {
      months: 2,
      reason:
        'Innsynet omfatter opplysninger i tre fagsystemer og må gjennomgås for taushetsbelagte opplysninger om andre',
    },
  },

  addRequestTask: {
    description:
      'The controller asks the processor for assistance with a forwarded request (003 §5): a `description` and the day it is due (`dueOn`, not in the past). Tasks are numbered in the order asked and kept on the request; only while it is open. Answers 201 with the task (`status: OPEN`); `Location` is the request. The processor is told, reminded the day after `dueOn` and weekly until it is done, and `dueOn` is in both calendar feeds.',
    errors: {
      '400': `The body is invalid (dueOn in the past or not a date, a national identity number, among others), or ${BAD_KEY}`,
      '401': NO_VALID_TOKEN,
      '403': `${NO_WRITE_SCOPE}, or the caller is the processor: the controller asks`,
      '404': `${NO_AGREEMENT}; or the agreement has no forwarded request with that id`,
      '409': `The request is answered (CLOSED), or another task was asked for at the same moment (send again), or ${KEY_RUNNING}`,
      '413': TOO_LARGE,
      '415': NOT_JSON,
      '422': KEY_REUSED,
    },
    requestExample: {
      description: 'Hent ut alle registreringer om innbyggeren fra aktivitetsplanen og loggene for 2026',
      dueOn: '2027-02-14',
    },
  },

  completeRequestTask: {
    description:
      "The processor marks an assistance task done (`{taskId}` is its number), once, with a `note` of what it did; `doneLate` when after its `dueOn`. Also after the request's outcome: what was asked is tracked to done. Answers 200 with the task; the controller is told, the task's reminders stop and it leaves the calendar feeds.",
    errors: {
      '400': `The body is invalid (a missing note, a national identity number, among others), or ${BAD_KEY}`,
      '401': NO_VALID_TOKEN,
      '403': `${NO_WRITE_SCOPE}, or the caller is the controller: the processor marks its tasks done`,
      '404': `${NO_AGREEMENT}; or the agreement has no forwarded request with that id, or the request no task with that number`,
      '409': `The task is done already, or ${KEY_RUNNING}`,
      '413': TOO_LARGE,
      '415': NOT_JSON,
      '422': KEY_REUSED,
    },
    requestExample: { note: 'Uttrekket er lagt i sikker sone for saksbehandler 10. februar' },
  },

  recordRequestOutcome: {
    description:
      "The controller records how it answered a forwarded request, once: `outcome` (ANSWERED, PARTLY_ANSWERED or REFUSED), the day it answered (`answeredOn`, not in the future nor before the request was received) and a `summary`. The request becomes CLOSED; `outcome.late` when answered after `answerDeadline`. Open assistance tasks do not hold the outcome back (the deadline is the controller's, and a task such as carrying out an erasure may follow the answer): they stay open and reminded until done. Answers 200 with the request (without its tasks); the processor is told, the deadline's reminders stop and it leaves the calendar feeds.",
    errors: {
      '400': `The body is invalid (answeredOn in the future or before the request was received, a national identity number, among others), or ${BAD_KEY}`,
      '401': NO_VALID_TOKEN,
      '403': `${NO_WRITE_SCOPE}, or the caller is the processor: the controller records the outcome`,
      '404': `${NO_AGREEMENT}; or the agreement has no forwarded request with that id`,
      '409': `The outcome is recorded already (CLOSED), or ${KEY_RUNNING}`,
      '413': TOO_LARGE,
      '415': NOT_JSON,
      '422': KEY_REUSED,
    },
    requestExample: {
      outcome: 'ANSWERED',
      answeredOn: '2027-02-20',
      summary: 'Innsyn gitt i brev med utskrift av alle registreringer',
    },
  },

  listNotifications: {
    description:
      "The notifications addressed to the caller's organisation (reminders, requests, decisions, notices), oldest first; any caller with a token may ask, for its own organisation only. Page with `limit` (1-100, default 50) and `cursor`; poll with `since` (an ISO time, or the `since` of the previous answer); keep some types with `type` (comma-separated).",
    errors: {
      '400':
        'An unknown query parameter, a limit outside 1-100, a malformed type list, or a cursor or since that is neither a time nor from this listing',
      '401': NO_VALID_TOKEN,
      '403': NO_READ_SCOPE,
    },
  },

  createCalendarFeed: {
    description:
      "Creates a secret iCalendar feed of the deadlines of the agreements of the caller's organisation (rule 15), with an optional name. Answers 201 with its address (`url`, `path`), shown this once since only a hash of its token is kept, and `Location`; a retry with the same Idempotency-Key gets the 201 without the address.",
    errors: {
      '400': `The body is invalid (unknown fields, a name over 100 characters), or ${BAD_KEY}`,
      '401': NO_VALID_TOKEN,
      '403': NO_WRITE_SCOPE,
      '409': `Only when ${KEY_RUNNING}`,
      '413': TOO_LARGE,
      '415': NOT_JSON,
      '422': KEY_REUSED,
    },
    requestExample: { name: 'Personvernombudet' },
  },

  listCalendarFeeds: {
    description:
      "The calendar feeds of the caller's organisation (rule 15): id, name, when and by whom created, never their secret addresses.",
    errors: { '401': NO_VALID_TOKEN, '403': NO_READ_SCOPE },
  },

  deleteCalendarFeed: {
    description:
      "Revokes one of the caller's organisation's calendar feeds (rule 15): 204, and its address answers 404 from then on.",
    errors: {
      '401': NO_VALID_TOKEN,
      '403': NO_WRITE_SCOPE,
      '404':
        "No calendar feed with that id for your organisation (unknown, already revoked, or another organisation's)",
    },
  },

  getCalendarFeed: {
    description:
      "The deadline calendar of one organisation (rule 15) as iCalendar, at the secret address `POST /calendar-feeds` returned: `{file}` is `<token>.ics`, and the token is the credential, so no bearer token is needed. Lists the upcoming deadlines of the organisation's agreements: signatures, termination dates and the 30- and 7-day marks before them, sub-processor decisions, breach notification, retention reviews and amendment signatures.",
    errors: {
      '404': 'No calendar feed at this address: an unknown or malformed token, or a revoked feed',
    },
  },

  createWebhook: {
    description:
      'Registers a webhook endpoint for the caller\'s organisation (rule 15): an https address on a public host, the event types it wants (or `["*"]`) and an optional description. Answers 201 with the webhook, its Standard Webhooks signing secret shown this once, and `Location`; notifications of those types are then sent to it, signed.',
    errors: {
      '400': `The body is invalid, the url is not https or its host does not resolve or resolves to an address that is not public, an unknown event type or "*" beside another, or ${BAD_KEY}`,
      '401': NO_VALID_TOKEN,
      '403': NO_WRITE_SCOPE,
      '409': `Only when ${KEY_RUNNING}`,
      '413': TOO_LARGE,
      '415': NOT_JSON,
      '422': KEY_REUSED,
    },
    requestExample: {
      url: 'https://sak.example.kommune.no/dpa/webhooks',
      events: ['agreement.awaiting-signatures', 'sub-processor.requested', 'breach.reported'],
      description: 'Sak/arkiv',
    },
  },

  listWebhooks: {
    description:
      "The webhook endpoints of the caller's organisation, newest first, without their secrets (rule 15).",
    errors: { '401': NO_VALID_TOKEN, '403': NO_READ_SCOPE },
  },

  getWebhook: {
    description: "One webhook endpoint of the caller's organisation, without its secrets (rule 15).",
    errors: {
      '401': NO_VALID_TOKEN,
      '403': NO_READ_SCOPE,
      '404': "No webhook with that id for your organisation (unknown, deleted, or another organisation's)",
    },
  },

  updateWebhook: {
    description:
      "Changes the event types, description or `enabled` of one of the caller's organisation's webhooks (rule 15); its url cannot change. Enabling a webhook the service disabled after failing deliveries clears why and since when, so deliveries start afresh.",
    errors: {
      '400':
        'The body is invalid: malformed JSON, unknown fields (url included), no field at all, or an unknown event type',
      '401': NO_VALID_TOKEN,
      '403': NO_WRITE_SCOPE,
      '404': "No webhook with that id for your organisation (unknown, deleted, or another organisation's)",
      '413': TOO_LARGE,
      '415': NOT_JSON,
    },
    requestExample: {
      events: ['agreement.awaiting-signatures', 'agreement.in-force', 'breach.reported'],
      enabled: true,
    },
  },

  deleteWebhook: {
    description:
      "Removes one of the caller's organisation's webhook endpoints (rule 15): 204, and nothing is sent to it from then on.",
    errors: {
      '401': NO_VALID_TOKEN,
      '403': NO_WRITE_SCOPE,
      '404':
        "No webhook with that id for your organisation (unknown, already deleted, or another organisation's)",
    },
  },

  rotateWebhookSecret: {
    description:
      "Gives one of the caller's organisation's webhooks a new signing secret, shown this once (rule 15). The previous secret keeps verifying for 24 hours, and deliveries carry a signature with each until then, so the receiver can switch without losing a delivery.",
    errors: {
      '400': `A body other than none or {}: malformed JSON or any field at all; or ${BAD_KEY}`,
      '401': NO_VALID_TOKEN,
      '403': NO_WRITE_SCOPE,
      '404': "No webhook with that id for your organisation (unknown, deleted, or another organisation's)",
      '409': `Other requests kept changing the webhook while it was rotated, or ${KEY_RUNNING}`,
      '413': TOO_LARGE,
      '415': NOT_JSON,
      '422': KEY_REUSED,
    },
    requestExample: {},
  },

  listWebhookDeliveries: {
    description:
      "The deliveries to one of the caller's organisation's webhooks, newest first (rule 15), paged with `limit` (1-100, default 25) and `cursor`: status, attempts, the next attempt while retried and the endpoint's last HTTP status.",
    errors: {
      '400': 'An unknown query parameter, a limit outside 1-100, or a cursor not from this listing',
      '401': NO_VALID_TOKEN,
      '403': NO_READ_SCOPE,
      '404': "No webhook with that id for your organisation (unknown, deleted, or another organisation's)",
    },
  },

  redeliverWebhookDelivery: {
    description:
      "Sends one delivery of one of the caller's organisation's webhooks again, e.g. once the receiver is mended (rule 15): 202 with the delivery due at once and retried for 24 hours more, with the same `webhook-id` so the receiver can de-duplicate. The webhook must be enabled and the delivery not still being retried.",
    errors: {
      '400': `A body other than none or {}: malformed JSON or any field at all; or ${BAD_KEY}`,
      '401': NO_VALID_TOKEN,
      '403': NO_WRITE_SCOPE,
      '404': 'No such webhook for your organisation, or no such delivery of it',
      '409': `The webhook is disabled, the delivery is still being retried or was attempted meanwhile, or ${KEY_RUNNING}`,
      '413': TOO_LARGE,
      '415': NOT_JSON,
      '422': KEY_REUSED,
    },
    requestExample: {},
  },

  getEvidence: {
    description:
      'The evidence pack of the agreement as a zip (rule 14, docs/evidence-format.md): every content version as JSON and PDF, signatures, sub-processor requests, breaches, the whole history and audit log with their seals, and a signed manifest anyone can verify offline. Either party may export it; the export is logged and seals every entry not sealed yet, and each party organisation is sent the seal (`audit.sealed`).',
    errors: {
      '401': NO_VALID_TOKEN,
      '403': NO_READ_SCOPE,
      '404': NO_AGREEMENT,
      '409': 'Another export or the daily seal run sealed the log at the same moment; export again',
    },
  },

  getJwks: {
    description:
      'The public keys (JWKS, ES256) that verify seals and evidence manifests (rule 14), current and retired, so that everything a retired key signed keeps verifying. Public: no token needed.',
    errors: {},
  },

  getOpenApi: {
    description:
      'This OpenAPI 3.1 document, generated from the route catalogue and the request schemas. Public: no token needed.',
    errors: {},
  },

  terminationNotice: {
    description:
      'Either party gives notice on an agreement IN_FORCE (rule 5), with a reason and optionally the date it was given (default today; not in the future, not before the agreement entered into force). It enters NOTICE_PERIOD with `terminatesOn` = notice date + the notice period (end-of-month rule), both parties are notified, reminders are set 30 and 7 days ahead, and the termination workflow starts, ending the agreement when that day ends in Oslo.',
    errors: {
      '400': `The body is invalid, givenOn lies in the future, before the agreement entered into force or so far back that it would already have terminated, or ${BAD_KEY}`,
      '401': NO_VALID_TOKEN,
      '403': NO_WRITE_SCOPE,
      '404': NO_AGREEMENT,
      '409': `The agreement is not IN_FORCE (notice already given, or not or no longer in force), or ${KEY_RUNNING}`,
      '413': TOO_LARGE,
      '415': NOT_JSON,
      '422': KEY_REUSED,
    },
    requestExample: { reason: 'Tjenesten flyttes til en ny leverandør etter ny anskaffelse' },
  },

  chooseDataDisposition: {
    description:
      'The controller chooses RETURN or DELETE of the personal data, with optional instructions, once, any time from the notice until the processor attests: while the agreement is in its NOTICE_PERIOD or TERMINATED (rule 6). Both parties are notified, and a termination workflow waiting for the choice is told.',
    errors: {
      '400': `The body is invalid (method neither RETURN nor DELETE, unknown fields), or ${BAD_KEY}`,
      '401': NO_VALID_TOKEN,
      '403': `${NO_WRITE_SCOPE}, or the caller is the processor: only the controller chooses`,
      '404': NO_AGREEMENT,
      '409': `The controller has chosen already, or the agreement is not in its NOTICE_PERIOD or TERMINATED, or ${KEY_RUNNING}`,
      '413': TOO_LARGE,
      '415': NOT_JSON,
      '422': KEY_REUSED,
    },
    requestExample: {
      method: 'DELETE',
      instructions: 'Slett alle personopplysninger og kopier, også i sikkerhetskopier, innen 30 dager',
    },
  },

  attestDataDisposition: {
    description:
      'The processor attests in writing that the data were returned or deleted as the controller chose (rule 6): method, completion date, statement and signatory. A TERMINATED agreement becomes CLOSED, or RETAINED_UNDER_LAW when EEA law requires keeping some data (legal basis and a review date recorded); a RETAINED_UNDER_LAW agreement is CLOSED by a final DELETE attestation. Answers 201; both parties are notified, and a termination workflow waiting for the attestation is told.',
    errors: {
      '400': `The body is invalid, completedOn lies in the future or before the controller's choice (or the previous attestation), retainedUnderLaw.reviewOn is not after today, or ${BAD_KEY}`,
      '401': NO_VALID_TOKEN,
      '403': `${NO_WRITE_SCOPE}, or the caller is the controller: only the processor attests`,
      '404': NO_AGREEMENT,
      '409': `The agreement is not TERMINATED or RETAINED_UNDER_LAW, the controller has not chosen yet, the method is not the one chosen (only DELETE, without retainedUnderLaw, after retention), or ${KEY_RUNNING}`,
      '413': TOO_LARGE,
      '415': NOT_JSON,
      '422': KEY_REUSED,
    },
    requestExample: {
      method: 'DELETE',
      completedOn: '2026-11-30',
      statement:
        'Alle personopplysninger og kopier, også i sikkerhetskopier, er slettet i samsvar med behandlingsansvarliges instruks',
      signatory: PROCESSOR_SIGNATORY,
    },
  },

  requestSubProcessor: {
    description:
      "The processor asks the controller's specific prior written approval of a sub-processor (rule 7) while the agreement is IN_FORCE or in its NOTICE_PERIOD: who it is, where it processes, what it does and which of the agreement's data types. Outside the EEA a transfer mechanism (SCC or ADEQUACY) is required. Answers 202 with the request REQUESTED and `Location`; the controller is notified, and the approval workflow waits 30 days for the decision and then expires the request.",
    errors: {
      '400': `The body is invalid, a data type is not among the agreement's, the country code is not assigned, processing outside the EEA has no transfer mechanism, the org number is a party's, or ${BAD_KEY}`,
      '401': NO_VALID_TOKEN,
      '403': `${NO_WRITE_SCOPE}, or the caller is the controller: only the processor requests`,
      '404': NO_AGREEMENT,
      '409': `The agreement is not IN_FORCE or NOTICE_PERIOD (or its terminatesOn has ended), an identical request still awaits the decision, or ${KEY_RUNNING}`,
      '413': TOO_LARGE,
      '415': NOT_JSON,
      '422': KEY_REUSED,
    },
    requestExample: {
      name: 'Driftspartner Vest AS',
      orgNumber: '974652358',
      address: 'Strandkaien 2, 5013 Bergen',
      processingLocation: { city: 'Bergen', countryCode: 'NO' },
      activities: 'Drift og overvåking av serverplattformen for aktivitetsplanen',
      personalDataTypes: ['Navn', 'Adresse'],
    },
  },

  listSubProcessors: {
    description:
      'Every sub-processor request of the agreement, oldest first, optionally filtered by `status` (rule 7); with `?status=APPROVED&on=YYYY-MM-DD`, Vedlegg 3 as it stood at the end of that day in Oslo. Either party may read them; the read is logged in the audit log.',
    errors: {
      '400':
        'An unknown query parameter, a status that is not a request state, `on` that is not a calendar date, lies after today, or comes without status=APPROVED',
      '401': NO_VALID_TOKEN,
      '403': NO_READ_SCOPE,
      '404': NO_AGREEMENT,
    },
  },

  getSubProcessor: {
    description:
      'One sub-processor request with its state and decision (rule 7); the `Location` of a new request. Either party may read it; the read is logged in the audit log.',
    errors: {
      '401': NO_VALID_TOKEN,
      '403': NO_READ_SCOPE,
      '404': `${NO_AGREEMENT}; or the agreement has no sub-processor request with that id`,
    },
  },

  decideSubProcessor: {
    description:
      'The controller approves or rejects a sub-processor request in writing, with a reason and signatory, once and before its 30 days are out, while the agreement is IN_FORCE or in its NOTICE_PERIOD (rule 7). Approval adds the sub-processor to Vedlegg 3 as a new appendix version; a request whose data types the scope in force no longer covers can only be rejected. Both parties are notified, and the approval workflow waiting for the decision is told.',
    errors: {
      '400': `The body is invalid (decision neither APPROVED nor REJECTED, unknown fields), or ${BAD_KEY}`,
      '401': NO_VALID_TOKEN,
      '403': `${NO_WRITE_SCOPE}, or the caller is the processor: only the controller decides`,
      '404': `${NO_AGREEMENT}; or the agreement has no sub-processor request with that id`,
      '409': `The request was decided, withdrawn or has expired, the agreement is not IN_FORCE or NOTICE_PERIOD, an approval of data types outside the scope in force, or ${KEY_RUNNING}`,
      '413': TOO_LARGE,
      '415': NOT_JSON,
      '422': KEY_REUSED,
    },
    requestExample: {
      decision: 'APPROVED',
      reason: 'Underleverandøren oppfyller kravene i Vedlegg 2, og databehandleravtale med den er inngått',
      signatory: CONTROLLER_SIGNATORY,
    },
  },

  withdrawSubProcessor: {
    description:
      'The processor withdraws a request still awaiting the decision (the approval workflow ends), or stops using an approved sub-processor, which leaves Vedlegg 3 from now on as a new appendix version and needs a reason (rules 7 and 10). Both parties are notified.',
    errors: {
      '400': `The body is invalid, an approved sub-processor withdrawn without a reason, or ${BAD_KEY}`,
      '401': NO_VALID_TOKEN,
      '403': `${NO_WRITE_SCOPE}, or the caller is the controller: only the processor withdraws`,
      '404': `${NO_AGREEMENT}; or the agreement has no sub-processor request with that id`,
      '409': `The request was rejected, withdrawn or has expired, an approved one while the agreement is no longer IN_FORCE or NOTICE_PERIOD, or ${KEY_RUNNING}`,
      '413': TOO_LARGE,
      '415': NOT_JSON,
      '422': KEY_REUSED,
    },
    requestExample: { reason: 'Driftsavtalen med underleverandøren er sagt opp' },
  },

  getProcessingAuthorization: {
    description:
      'The processing gate (rule 8): may this sub-processor process data under the agreement now? `authorized` is true only while the agreement is in force (its notice period included) and the sub-processor is approved; `reasons` say why. An id the agreement does not know is answered (not authorised, and why), not refused. Either party may ask; every question and its answer go into the audit log.',
    errors: {
      '400':
        'subProcessorId is missing, blank, over 100 characters or holds control or formatting characters, or an unknown query parameter',
      '401': NO_VALID_TOKEN,
      '403': NO_READ_SCOPE,
      '404': NO_AGREEMENT,
    },
  },
};
