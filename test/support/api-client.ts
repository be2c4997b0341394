/** A thin client for the local API as a caller sees it: status, headers, JSON body. */
export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token?: string,
  ) {}

  static async forOrganisation(baseUrl: string, orgNumber: string, scopes?: string[]): Promise<ApiClient> {
    const response = await fetch(`${baseUrl}/local/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ orgNumber, ...(scopes ? { scopes } : {}) }),
    });
    if (response.status !== 200)
      throw new Error(`token request failed: ${response.status} ${await response.text()}`);
    const { access_token: token } = (await response.json()) as { access_token: string };
    return new ApiClient(baseUrl, token);
  }

  withToken(token: string | undefined): ApiClient {
    return new ApiClient(this.baseUrl, token);
  }

  /**
   * Sends a request; a JSON answer (or an empty one, as `{}`) comes back parsed, any other (a PDF) as
   * its bytes in a Buffer.
   */
  async request<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> {
    const response = await this.send(method, path, body, headers);
    const contentType = response.headers.get('content-type') ?? '';
    const parsed =
      response.body.length === 0
        ? {}
        : /json/i.test(contentType) || contentType === ''
          ? JSON.parse(response.body.toString('utf8'))
          : response.body;
    return { status: response.status, headers: response.headers, body: parsed as T };
  }

  get<T = Record<string, unknown>>(path: string) {
    return this.request<T>('GET', path);
  }

  /** A GET whose answer is kept as the bytes received (a PDF, or the problem+json of a refusal). */
  getBytes(path: string): Promise<ApiResponse<Buffer>> {
    return this.send('GET', path);
  }

  private async send(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<Buffer>> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return {
      status: response.status,
      headers: response.headers,
      body: Buffer.from(await response.arrayBuffer()),
    };
  }

  post<T = Record<string, unknown>>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', path, body, headers);
  }
}

export const CONTROLLER_ORG = '954748634'; // Radøy kommune (public)
export const PROCESSOR_ORG = '889640782'; // Arbeids- og velferdsetaten (public)
export const OUTSIDER_ORG = '974652358'; // another public body, party to nothing here

/** A create request as in product.md, with invented contact persons. */
export function agreementRequest(overrides: Record<string, unknown> = {}) {
  return {
    title: 'Databehandleravtale for digital aktivitetsplan (KVP)',
    controller: { orgNumber: CONTROLLER_ORG, name: 'Radøy kommune' },
    processor: { orgNumber: PROCESSOR_ORG, name: 'Arbeids- og velferdsetaten' },
    cooperationAgreementRef: 'Samarbeidsavtale om Modia arbeidsrettet oppfølging',
    scope: {
      purpose: 'Arbeidsrettet oppfølging av deltakere i kvalifiseringsprogrammet',
      nature: 'Lagring og visning i digital aktivitetsplan',
      dataSubjectCategories: ['Deltakere i KVP', 'Veiledere'],
      personalDataTypes: ['Navn', 'Fødselsnummer', 'Adresse'],
      specialCategories: ['Helseopplysninger'],
    },
    securityMeasures: 'Felles sikkerhetsnormer for arbeids- og velferdsforvaltningen',
    contacts: {
      controller: { name: 'Kari Testesen', email: 'kari@example.kommune.no', phone: '+4799999999' },
      processor: { name: 'Ola Prøvesen', email: 'ola@example.no', phone: '+4798888888' },
    },
    ...overrides,
  };
}

/** A signature of the content with `contentHash` (rule 12: the agreement's hash as the signatory read it). */
export const signature = (name: string, place: string, contentHash: string, signedOn?: string) => ({
  signatory: { name, title: 'Rådmann' },
  place,
  ...(signedOn ? { signedOn } : {}),
  contentHash,
});

/** A breach report as the processor sends it (003 §10), about one letter sent to the wrong address. */
export const breachReport = (becameAwareAt: string) => ({
  becameAwareAt,
  severity: 'MEDIUM',
  nature: 'Brev med vedtak sendt til feil adresse',
  dataSubjectCategories: ['Deltakere i KVP'],
  approximateDataSubjects: 1,
  personalDataCategories: ['Navn', 'Fødselsnummer'],
  approximateRecords: 1,
  contactPoint: { name: 'Ola Prøvesen', email: 'personvern@example.no', phone: '+4798888888' },
  likelyConsequences: 'Uvedkommende kan ha lest vedtaket',
  measuresTaken: 'Mottakeren har returnert brevet',
  measuresProposed: 'Adressevask før utsending',
});
