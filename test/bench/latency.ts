import { performance } from 'node:perf_hooks';
import { percentile, round } from './stats.ts';

const CONTROLLER_ORG = '954748634'; // Radøy kommune
const PROCESSOR_ORG = '889640782'; // Arbeids- og velferdsetaten

/** The draft from the README's curl example. */
const AGREEMENT = {
  title: 'Databehandleravtale for digital aktivitetsplan (KVP)',
  controller: { orgNumber: CONTROLLER_ORG, name: 'Radøy kommune' },
  processor: { orgNumber: PROCESSOR_ORG, name: 'Arbeids- og velferdsetaten' },
  scope: {
    purpose: 'Arbeidsrettet oppfølging av deltakere i kvalifiseringsprogrammet',
    nature: 'Lagring og visning i digital aktivitetsplan',
    dataSubjectCategories: ['Deltakere i KVP'],
    personalDataTypes: ['Navn', 'Fødselsnummer'],
    specialCategories: [],
  },
  securityMeasures: 'Felles sikkerhetsnormer for arbeids- og velferdsforvaltningen',
  contacts: {
    controller: { name: 'Kari Nordmann', email: 'kari@example.kommune.no', phone: '+4799999999' },
    processor: { name: 'Ola Nordmann', email: 'ola@example.no', phone: '+4798888888' },
  },
};

export interface LatencySummary {
  requests: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface LatencyResult {
  warmUpRequests: number;
  createAgreement: LatencySummary;
  getAgreement: LatencySummary;
}

const REQUEST_TIMEOUT_MS = 10_000;

async function timed(
  url: string,
  init: RequestInit,
  expectedStatus: number,
): Promise<{ ms: number; body: unknown }> {
  const started = performance.now();
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const text = await response.text();
  const ms = performance.now() - started;
  if (response.status !== expectedStatus) {
    throw new Error(
      `${init.method ?? 'GET'} ${url}: ${response.status} (expected ${expectedStatus}) ${text}`,
    );
  }
  return { ms, body: text ? JSON.parse(text) : undefined };
}

const summarize = (samples: number[]): LatencySummary => ({
  requests: samples.length,
  p50Ms: round(percentile(samples, 50), 2),
  p95Ms: round(percentile(samples, 95), 2),
  p99Ms: round(percentile(samples, 99), 2),
  maxMs: round(Math.max(...samples), 2),
});

/**
 * Sequential requests as the controller: `requests` creations, then as many reads, one per created
 * agreement. The first `warmUp` of each are not counted (first use of a route, JIT).
 */
export async function measureLatency(
  baseUrl: string,
  options: { requests: number; warmUp: number },
): Promise<LatencyResult> {
  const { body: tokenBody } = await timed(
    `${baseUrl}/local/tokens`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ orgNumber: CONTROLLER_ORG }),
    },
    200,
  );
  const token = (tokenBody as { access_token?: unknown }).access_token;
  if (typeof token !== 'string') throw new Error('POST /local/tokens returned no access_token');
  const authorization = `Bearer ${token}`;

  const total = options.warmUp + options.requests;
  const body = JSON.stringify(AGREEMENT);
  const ids: string[] = [];
  const creations: number[] = [];
  for (let i = 0; i < total; i++) {
    const { ms, body: created } = await timed(
      `${baseUrl}/agreements`,
      { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body },
      201,
    );
    const id = (created as { id?: unknown }).id;
    if (typeof id !== 'string') throw new Error('POST /agreements returned no id');
    ids.push(id);
    if (i >= options.warmUp) creations.push(ms);
  }

  const reads: number[] = [];
  for (const [i, id] of ids.entries()) {
    const { ms } = await timed(
      `${baseUrl}/agreements/${encodeURIComponent(id)}`,
      { headers: { authorization } },
      200,
    );
    if (i >= options.warmUp) reads.push(ms);
  }

  return {
    warmUpRequests: options.warmUp,
    createAgreement: summarize(creations),
    getAgreement: summarize(reads),
  };
}
