import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CostItem,
  type CostModel,
  type CountedUsage,
  costOfWork,
  type Prices,
  quantityText,
  type SizedUsage,
  sumLines,
  totalPico,
  type Work,
} from '../lib/cost.ts';
import type { InvocationRecord } from '../lib/instrument.ts';
import { costPico, divideRounded, formatUsd, picoToMicro, whole } from '../lib/money.ts';
import { unitsOfInvocations } from '../lib/summary.ts';
import type { LifecycleResult, Share } from './lifecycle.ts';
import type { RouteMeasurement } from './routes.ts';
import type { WebResult } from './web.ts';

/*
 * Part 6: what the measured work costs at list prices (bench/prices.json). Per 1,000 lifecycles, and
 * per tenant-month for a 50-agent company with 2,000 tickets a month under the assumptions below,
 * every one of which is printed in the report next to the result.
 */

export const MODEL: CostModel = {
  // infra/aws/constructs/process-function.ts gives every function 512 MB.
  memoryMb: 512,
  // START, END and REPORT lines of about 70, 55 and 150 bytes, and the XRAY line (active tracing), ~90.
  platformLogBytesPerInvocation: 365,
};

export const TENANT_MONTH = {
  agents: 50,
  ticketsPerMonth: 2_000,
  /** People who report at least one ticket in a month, besides the agents. */
  requesterMau: 600,
  workdaysPerMonth: 21,
  /** Full loads of the agent workspace (sign-in, new tab) per agent and workday. */
  deskLoadsPerAgentDay: 3,
  /** Queue pages (all open) per agent and workday: every return to the list, every refresh. */
  queueViewsPerAgentDay: 60,
  /** Record pages per ticket: six by staff, two by its caller. */
  recordViewsPerTicket: 8,
  /** Portal loads per ticket by its caller (report, follow up, confirm). */
  portalLoadsPerTicket: 3,
  /** The SLA monitor runs once a minute for the whole platform; a tenant bears its share. */
  monitorRunsPerMonth: 30 * 24 * 60,
  tenantsSharingTheMonitor: 50,
} as const;

export const GOALS = {
  perThousandLifecyclesMicroUsd: 50_000n,
  perTenantMonthMicroUsd: 5_000_000n,
} as const;

export function loadPrices(): Prices {
  return JSON.parse(readFileSync(join(import.meta.dirname, '..', 'prices.json'), 'utf8')) as Prices;
}

function counted(share: Share): CountedUsage {
  const { usage } = share;
  return {
    apiRequests: usage.apiRequests,
    invocations: usage.invocations,
    billedMs: usage.billedMs,
    eventsPut: usage.eventsPut,
    mails: usage.mails,
    logBytes: usage.logBytes,
    per: share.per,
  };
}

function sized(share: Share): SizedUsage {
  const { usage } = share;
  return {
    readHalfUnits: usage.readHalfUnits,
    writeUnits: usage.writeUnits,
    indexWriteUnits: usage.indexWriteUnits,
    per: share.per,
  };
}

function invocationsWork(
  name: string,
  timed: InvocationRecord[],
  measuredSized: InvocationRecord[],
  times: bigint,
): Work {
  const units = unitsOfInvocations(measuredSized);
  return {
    name,
    times,
    counted: {
      apiRequests: timed.filter((record) => record.kind === 'route').length,
      invocations: timed.length,
      billedMs: timed.reduce(
        (sum, record) => sum + Math.max(1, Math.ceil(record.endedAt - record.startedAt)),
        0,
      ),
      eventsPut: timed.reduce((sum, record) => sum + record.eventsPut, 0),
      mails: 0,
      logBytes: timed.reduce((sum, record) => sum + record.logBytes, 0),
      per: 1,
    },
    sized: {
      readHalfUnits: units.readHalfUnits,
      writeUnits: units.writeUnits,
      indexWriteUnits: units.indexWriteUnits,
      per: 1,
    },
  };
}

function routeWork(name: string, route: RouteMeasurement | undefined, times: bigint): Work {
  if (!route?.units) throw new Error(`The cost model needs the measurement of ${name}`);
  return {
    name,
    times,
    counted: {
      apiRequests: 1,
      invocations: 1,
      billedMs: Math.max(1, Math.ceil(route.functionMs.p50)),
      eventsPut: route.eventsPut,
      mails: 0,
      logBytes: Math.round(route.logBytes),
      per: 1,
    },
    sized: {
      readHalfUnits: route.units.readHalfUnits,
      writeUnits: route.units.writeUnits,
      indexWriteUnits: route.units.indexWriteUnits,
      per: 1,
    },
  };
}

export interface PricedWork {
  readonly name: string;
  readonly times: string;
  readonly usd: string;
  readonly microUsd: string;
}

export interface PricedLines {
  readonly lines: { item: CostItem; usd: string; microUsd: string }[];
  readonly works: PricedWork[];
  readonly totalUsd: string;
  readonly totalMicroUsd: string;
}

function price(works: Work[], prices: Prices): PricedLines & { totalPico: bigint } {
  const all = works.map((work) => ({ work, lines: costOfWork(work, MODEL, prices) }));
  const lines = sumLines(all.flatMap((entry) => entry.lines));
  const total = totalPico(lines);
  return {
    lines: lines.map((line) => ({
      item: line.item,
      usd: formatUsd(line.pico, 6),
      microUsd: picoToMicro(line.pico).toString(),
    })),
    works: all.map(({ work, lines: own }) => ({
      name: work.name,
      times: work.times.toLocaleString('en-US'),
      usd: formatUsd(totalPico(own), 6),
      microUsd: picoToMicro(totalPico(own)).toString(),
    })),
    totalUsd: formatUsd(total, 6),
    totalMicroUsd: picoToMicro(total).toString(),
    totalPico: total,
  };
}

export interface PerLifecycle {
  readonly apiRequests: string;
  readonly invocations: string;
  readonly billedMs: string;
  readonly dbRequests: string;
  readonly readUnits: string;
  readonly writeUnits: string;
  readonly eventsPut: string;
  readonly mails: string;
  readonly logBytes: string;
}

export interface CostResult {
  readonly perLifecycle: PerLifecycle;
  readonly perThousandLifecycles: PricedLines & { goalMet: boolean; goalUsd: string };
  readonly tenantMonth: PricedLines & {
    readonly cognito: { mau: number; essentialsUsd: string; liteUsd: string };
    readonly totalWithCognitoUsd: string;
    readonly perAgentUsd: string;
    readonly perAgentWithCognitoUsd: string;
    readonly goalMet: boolean;
    readonly goalMetWithCognito: boolean;
    readonly goalUsd: string;
    readonly webMeasured: boolean;
  };
  readonly prices: Prices;
}

function lifecycleWorks(lifecycle: LifecycleResult, times: bigint): Work[] {
  return [
    {
      name: 'lifecycle steps and their consumers',
      counted: counted(lifecycle.steps),
      sized: sized(lifecycle.stepsSized),
      times,
    },
    {
      name: 'closure by the monitor',
      counted: counted(lifecycle.close),
      sized: sized(lifecycle.closeSized),
      times,
    },
    {
      name: 'one SLA warning',
      counted: counted(lifecycle.warning),
      sized: sized(lifecycle.warningSized),
      times,
    },
  ];
}

/** Sum of one metric per lifecycle, over the three works, as a decimal. */
function perLifecycle(lifecycle: LifecycleResult): PerLifecycle {
  const parts = [
    [lifecycle.steps, lifecycle.stepsSized],
    [lifecycle.close, lifecycle.closeSized],
    [lifecycle.warning, lifecycle.warningSized],
  ] as const;
  const sum = (pick: (share: Share) => number, useSized: boolean, scale = 1) => {
    let numerator = 0n;
    let denominator = 1n;
    for (const [count, size] of parts) {
      const share = useSized ? size : count;
      const value = BigInt(pick(share));
      const per = BigInt(share.per) * BigInt(scale);
      numerator = numerator * per + value * denominator;
      denominator *= per;
    }
    return quantityText({ numerator, denominator }, 1);
  };
  return {
    apiRequests: sum((share) => share.usage.apiRequests, false),
    invocations: sum((share) => share.usage.invocations, false),
    billedMs: sum((share) => share.usage.billedMs, false),
    dbRequests: sum((share) => share.usage.dbRequests, false),
    readUnits: sum((share) => share.usage.readHalfUnits, true, 2),
    writeUnits: sum((share) => share.usage.writeUnits + share.usage.indexWriteUnits, true),
    eventsPut: sum((share) => share.usage.eventsPut, false),
    mails: sum((share) => share.usage.mails, false),
    logBytes: sum((share) => share.usage.logBytes, false),
  };
}

export function costModel(input: {
  lifecycle: LifecycleResult;
  routes: readonly RouteMeasurement[];
  web: WebResult;
}): CostResult {
  const prices = loadPrices();
  const thousand = price(lifecycleWorks(input.lifecycle, 1_000n), prices);
  const month = TENANT_MONTH;
  const agentDays = BigInt(month.agents * month.workdaysPerMonth);
  const desk = input.web.pages.find((page) => page.path === '/desk');
  const portal = input.web.pages.find((page) => page.path === '/portal');
  const works: Work[] = [
    ...lifecycleWorks(input.lifecycle, BigInt(month.ticketsPerMonth)),
    routeWork(
      'queue page views',
      input.routes.find((route) => route.id === 'incidents.listIncidentQueue [queue=all-open]'),
      agentDays * BigInt(month.queueViewsPerAgentDay),
    ),
    routeWork(
      'record page views',
      input.routes.find((route) => route.route === 'getIncident'),
      BigInt(month.ticketsPerMonth * month.recordViewsPerTicket),
    ),
    ...(desk
      ? [
          invocationsWork(
            'agent workspace loads',
            desk.invocations,
            desk.invocationsSized,
            agentDays * BigInt(month.deskLoadsPerAgentDay),
          ),
        ]
      : []),
    ...(portal
      ? [
          invocationsWork(
            'portal loads',
            portal.invocations,
            portal.invocationsSized,
            BigInt(month.ticketsPerMonth * month.portalLoadsPerTicket),
          ),
        ]
      : []),
    {
      name: 'share of the SLA monitor’s runs',
      counted: counted(input.lifecycle.idleRun),
      sized: sized(input.lifecycle.idleRunSized),
      times: BigInt(month.monitorRunsPerMonth / month.tenantsSharingTheMonitor),
    },
  ];
  const tenant = price(works, prices);
  const essentials = prices.prices.cognitoEssentialsMau;
  const lite = prices.prices.cognitoLiteMau;
  if (!essentials || !lite) throw new Error('bench/prices.json lacks the Cognito prices');
  const mau = month.agents + month.requesterMau;
  const cognitoPico = costPico(whole(mau), essentials);
  const withCognito = tenant.totalPico + cognitoPico;
  const perAgent = (pico: bigint) => formatUsd(divideRounded(pico, BigInt(month.agents)), 4);
  return {
    perLifecycle: perLifecycle(input.lifecycle),
    perThousandLifecycles: {
      ...thousand,
      goalMet: picoToMicro(thousand.totalPico) <= GOALS.perThousandLifecyclesMicroUsd,
      goalUsd: formatUsd(GOALS.perThousandLifecyclesMicroUsd * 1_000_000n, 2),
    },
    tenantMonth: {
      ...tenant,
      cognito: {
        mau,
        essentialsUsd: formatUsd(cognitoPico, 2),
        liteUsd: formatUsd(costPico(whole(mau), lite), 2),
      },
      totalWithCognitoUsd: formatUsd(withCognito, 2),
      perAgentUsd: perAgent(tenant.totalPico),
      perAgentWithCognitoUsd: perAgent(withCognito),
      goalMet: picoToMicro(tenant.totalPico) <= GOALS.perTenantMonthMicroUsd,
      goalMetWithCognito: picoToMicro(withCognito) <= GOALS.perTenantMonthMicroUsd,
      goalUsd: formatUsd(GOALS.perTenantMonthMicroUsd * 1_000_000n, 2),
      webMeasured: desk !== undefined && portal !== undefined,
    },
    prices,
  };
}
