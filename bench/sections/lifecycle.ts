import { getDatabase } from '#shared/data/database.ts';
import { dueBucket } from '#shared/domain/incidents/incident.ts';
import { field, versionOf } from '../lib/api.ts';
import type { InvocationKind, InvocationRecord } from '../lib/instrument.ts';
import { say } from '../lib/progress.ts';
import { unitsOfInvocations } from '../lib/summary.ts';
import { type Measured, measure, type World } from '../lib/world.ts';

/*
 * Part 6's measured input: whole incident lifecycles as people live them, with everything they set
 * off. Create (requester), assign (a dispatcher gives it to the agent), a comment each way, hold,
 * resume, resolve, then closure by the SLA monitor days later (its clock is driven with runDue), and
 * one SLA warning per lifecycle (made on a separate incident, since the monitor's clock cannot go back
 * for the lifecycle's own later steps). Counted lifecycles give invocations, durations, events, mails
 * and log bytes; sized ones (capacity mode) the read and write units.
 */

/** Sums over whatever was measured, to be divided by {@link Share.per}. */
export interface Usage {
  readonly apiRequests: number;
  readonly invocations: number;
  readonly byKind: Record<InvocationKind, number>;
  readonly byProcess: Record<string, number>;
  /** Σ of each invocation's duration rounded up to the millisecond (Lambda bills per ms). */
  readonly billedMs: number;
  readonly dbRequests: number;
  readonly readHalfUnits: number;
  readonly writeUnits: number;
  readonly indexWriteUnits: number;
  readonly eventsPut: number;
  readonly mails: number;
  readonly logBytes: number;
}

/** A usage that stands for `per` lifecycles (or monitor moments, or runs). */
export interface Share {
  readonly usage: Usage;
  readonly per: number;
}

export interface LifecycleResult {
  /** Counted lifecycles' steps (durations, invocations, events, mails, logs). */
  readonly steps: Share;
  /** Sized lifecycles' steps (read and write units). */
  readonly stepsSized: Share;
  /** Monitor closing resolved incidents: usage per moment handled. */
  readonly close: Share;
  readonly closeSized: Share;
  /** Monitor announcing an SLA warning: usage per moment handled. */
  readonly warning: Share;
  readonly warningSized: Share;
  /** One monitor run with nothing due (it runs every minute for the whole platform). */
  readonly idleRun: Share;
  readonly idleRunSized: Share;
  /** Per step of one lifecycle (from the counted ones): requests of the route, invocations set off. */
  readonly stepRows: {
    step: string;
    routeRequests: number;
    invocations: number;
    events: number;
    mails: number;
  }[];
}

const NO_USAGE: Usage = {
  apiRequests: 0,
  invocations: 0,
  byKind: { route: 0, subscription: 0, schedule: 0, stream: 0 },
  byProcess: {},
  billedMs: 0,
  dbRequests: 0,
  readHalfUnits: 0,
  writeUnits: 0,
  indexWriteUnits: 0,
  eventsPut: 0,
  mails: 0,
  logBytes: 0,
};

function usageOf(records: readonly InvocationRecord[], mails: number): Usage {
  const byKind = { ...NO_USAGE.byKind };
  const byProcess: Record<string, number> = {};
  for (const record of records) {
    byKind[record.kind] += 1;
    byProcess[record.processName] = (byProcess[record.processName] ?? 0) + 1;
  }
  const units = unitsOfInvocations(records);
  return {
    apiRequests: byKind.route,
    invocations: records.length,
    byKind,
    byProcess,
    billedMs: records.reduce(
      (sum, record) => sum + Math.max(1, Math.ceil(record.endedAt - record.startedAt)),
      0,
    ),
    dbRequests: records.reduce((sum, record) => sum + record.requests.length, 0),
    readHalfUnits: units.readHalfUnits,
    writeUnits: units.writeUnits,
    indexWriteUnits: units.indexWriteUnits,
    eventsPut: records.reduce((sum, record) => sum + record.eventsPut, 0),
    mails,
    logBytes: records.reduce((sum, record) => sum + record.logBytes, 0),
  };
}

export function addUsage(a: Usage, b: Usage): Usage {
  const byKind = { ...a.byKind };
  for (const [kind, count] of Object.entries(b.byKind) as [InvocationKind, number][]) byKind[kind] += count;
  const byProcess = { ...a.byProcess };
  for (const [name, count] of Object.entries(b.byProcess)) byProcess[name] = (byProcess[name] ?? 0) + count;
  return {
    apiRequests: a.apiRequests + b.apiRequests,
    invocations: a.invocations + b.invocations,
    byKind,
    byProcess,
    billedMs: a.billedMs + b.billedMs,
    dbRequests: a.dbRequests + b.dbRequests,
    readHalfUnits: a.readHalfUnits + b.readHalfUnits,
    writeUnits: a.writeUnits + b.writeUnits,
    indexWriteUnits: a.indexWriteUnits + b.indexWriteUnits,
    eventsPut: a.eventsPut + b.eventsPut,
    mails: a.mails + b.mails,
    logBytes: a.logBytes + b.logBytes,
  };
}

function mailsOf(world: World, labels: readonly string[]): number {
  return labels.reduce((sum, label) => sum + (world.recorder.mails.get(label) ?? 0), 0);
}

interface Lived {
  readonly measured: Measured[];
  readonly incidentId: string;
}

const STEPS = [
  'create',
  'assign',
  'comment (agent)',
  'comment (caller)',
  'hold',
  'resume',
  'resolve',
] as const;

async function live(world: World, index: number): Promise<Lived> {
  const tenant = world.small;
  const { tokens } = tenant;
  const measured: Measured[] = [];
  const created = await measure(world, tokens.requester, 'POST', '/api/incidents', {
    body: {
      shortDescription: `Lifecycle ${index + 1}: Outlook keeps asking for the password`,
      description: 'Since the password change this morning Outlook asks again every few minutes.',
      serviceId: tenant.serviceIds[0] ?? null,
      impact: 'medium',
      urgency: 'high',
    },
  });
  measured.push(created);
  const id = field(created.answer, 'incidentId');
  let version = versionOf(created.answer);
  const step = async (token: string, method: string, suffix: string, body: unknown) => {
    const answer = await measure(world, token, method, `/api/incidents/${id}${suffix}`, {
      body,
      ifMatch: version,
    });
    if (answer.answer.status !== 200) {
      throw new Error(
        `Lifecycle step ${method} ${suffix} answered ${answer.answer.status}: ${JSON.stringify(answer.answer.json)}`,
      );
    }
    version = versionOf(answer.answer);
    measured.push(answer);
  };
  await step(tokens.admin, 'PUT', '/assignment', { teamId: tenant.teamId, assigneeId: tenant.agentId });
  await step(tokens.agent, 'POST', '/comments', { text: 'Please try signing out of all Office apps first.' });
  await step(tokens.requester, 'POST', '/comments', { text: 'Done, it still asks.' });
  await step(tokens.agent, 'POST', '/state', { to: 'on-hold', reason: 'awaiting-caller' });
  await step(tokens.agent, 'POST', '/state', { to: 'in-progress' });
  await step(tokens.agent, 'POST', '/state', {
    to: 'resolved',
    resolutionCode: 'solved',
    resolutionNotes: 'Removed the stale credential from the keychain.',
  });
  return { measured, incidentId: id };
}

/**
 * An assigned incident whose next due moment is an SLA warning. Counted ones are P1 and sized ones P2,
 * so the two groups' moments never share an instant (off business hours every P1 clock starts at the
 * same opening time) and each monitor run handles only its own group.
 */
async function warningIncident(world: World, urgency: 'high' | 'medium'): Promise<string> {
  const tenant = world.small;
  world.recorder.label = 'setup';
  const created = await world.api.expect(tenant.tokens.requester, 'POST', '/api/incidents', {
    body: { shortDescription: 'SLA probe: the shared drive is read-only', impact: 'high', urgency },
  });
  const id = field(created, 'incidentId');
  await world.api.expect(tenant.tokens.admin, 'PUT', `/api/incidents/${id}/assignment`, {
    body: { teamId: tenant.teamId, assigneeId: tenant.agentId },
    ifMatch: versionOf(created),
  });
  return id;
}

async function momentAt(tenantId: string, incidentId: string, kind: 'sla' | 'close'): Promise<number> {
  const found = await getDatabase().entities.dueMoment.get({ tenantId, incidentId, kind }).go();
  if (!found.data) throw new Error(`Incident ${incidentId} has no ${kind} moment`);
  return Date.parse(found.data.at);
}

interface MonitorGroup {
  readonly name: string;
  readonly sized: boolean;
  readonly moments: number[];
  result?: { records: InvocationRecord[]; moments: number; label: string };
}

/** Runs the monitor once per group, in time order, each time reading only the group's minutes. */
async function runMonitor(world: World, groups: MonitorGroup[], startAfter: number): Promise<number> {
  let last = startAfter;
  const ordered = [...groups].sort((a, b) => Math.max(...a.moments) - Math.max(...b.moments));
  for (const [index, group] of ordered.entries()) {
    const first = Math.min(...group.moments);
    // The whole second after the group's last moment (a scheduled event's time has no milliseconds),
    // so a later group's moments are not due yet; the scheduler's clock only moves forward, a minute
    // per run at least.
    const at = Math.max(Math.ceil((Math.max(...group.moments) + 1) / 1000) * 1000, last + 61_000);
    last = at;
    await world.cloud.idle();
    await getDatabase()
      .entities.monitorCheckpoint.put({
        monitor: 'sla-monitor',
        lastBucket: dueBucket(new Date(first - 60_000).toISOString()),
        updatedAt: new Date().toISOString(),
      })
      .go();
    const label = `monitor-${index}-${group.name}`;
    world.recorder.label = label;
    world.recorder.mode = group.sized ? 'capacity' : 'count';
    try {
      const fired = await world.cloud.scheduler.runDue(new Date(at));
      if (fired === 0) throw new Error(`The monitor did not run at ${new Date(at).toISOString()}`);
      await world.cloud.idle();
    } finally {
      world.recorder.label = 'setup';
      world.recorder.mode = 'count';
    }
    const records = world.recorder.under((name) => name === label);
    const run = records.find((record) => record.kind === 'schedule');
    const moments = run?.requests.filter((request) => request.operation === 'TransactWriteItems').length ?? 0;
    group.result = { records, moments, label };
  }
  return last;
}

export async function measureLifecycles(world: World, counted: number): Promise<LifecycleResult> {
  const sizedCount = Math.max(1, Math.round(counted / 4));
  say(
    `lifecycles: ${counted} counted and ${sizedCount} sized (create, assign, 2 comments, hold, resume, resolve)`,
  );
  const countedLives: Lived[] = [];
  for (let index = 0; index < counted; index += 1) countedLives.push(await live(world, index));
  // A second apart, so the two groups' closing moments never share the second a monitor run reads to.
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  world.recorder.mode = 'capacity';
  const sizedLives: Lived[] = [];
  try {
    for (let index = 0; index < sizedCount; index += 1) sizedLives.push(await live(world, counted + index));
  } finally {
    world.recorder.mode = 'count';
  }
  const warnings = [];
  for (let index = 0; index < counted + sizedCount; index += 1) {
    warnings.push(await warningIncident(world, index < counted ? 'high' : 'medium'));
  }
  await world.cloud.idle();
  const tenantId = world.small.tenantId;
  const closeOf = (lives: Lived[]) =>
    Promise.all(lives.map((life) => momentAt(tenantId, life.incidentId, 'close')));
  const slaOf = (ids: string[]) => Promise.all(ids.map((id) => momentAt(tenantId, id, 'sla')));
  const groups: MonitorGroup[] = [
    { name: 'close', sized: false, moments: await closeOf(countedLives) },
    { name: 'close-sized', sized: true, moments: await closeOf(sizedLives) },
    { name: 'warning', sized: false, moments: await slaOf(warnings.slice(0, counted)) },
    { name: 'warning-sized', sized: true, moments: await slaOf(warnings.slice(counted)) },
  ];
  say('lifecycles: the monitor closes them and announces the SLA warnings (clock driven ahead)');
  const last = await runMonitor(world, groups, Date.now());
  const idle: MonitorGroup[] = [
    { name: 'idle', sized: false, moments: [last + 120_000] },
    { name: 'idle-sized', sized: true, moments: [last + 240_000] },
  ];
  await runMonitor(world, idle, last);

  const share = (lives: Lived[]): Share => {
    const records = lives.flatMap((life) =>
      life.measured.flatMap((entry) => [entry.route, ...entry.downstream]),
    );
    const labels = lives.flatMap((life) => life.measured.map((entry) => entry.label));
    return { usage: usageOf(records, mailsOf(world, labels)), per: lives.length };
  };
  const groupShare = (group: MonitorGroup | undefined, per?: number): Share => {
    if (!group?.result) throw new Error('A monitor group did not run');
    const { records, moments, label } = group.result;
    if (per === undefined && moments < group.moments.length) {
      throw new Error(`The monitor handled ${moments} of the ${group.moments.length} ${group.name} moments`);
    }
    return { usage: usageOf(records, mailsOf(world, [label])), per: per ?? moments };
  };
  const byName = (list: MonitorGroup[], name: string) => list.find((group) => group.name === name);
  const stepRows = STEPS.map((step, index) => {
    const entries = countedLives
      .map((life) => life.measured[index])
      .filter((entry): entry is Measured => !!entry);
    const average = (values: number[]) =>
      Math.round((values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length)) * 10) / 10;
    return {
      step,
      routeRequests: average(
        entries.map((entry) => entry.route.requests.filter((request) => !request.tenantGate).length),
      ),
      invocations: average(entries.map((entry) => 1 + entry.downstream.length)),
      events: average(
        entries.map((entry) => entry.route.requests.reduce((sum, request) => sum + request.outboxPuts, 0)),
      ),
      mails: average(entries.map((entry) => world.recorder.mails.get(entry.label) ?? 0)),
    };
  });
  const result: LifecycleResult = {
    steps: share(countedLives),
    stepsSized: share(sizedLives),
    close: groupShare(byName(groups, 'close')),
    closeSized: groupShare(byName(groups, 'close-sized')),
    warning: groupShare(byName(groups, 'warning')),
    warningSized: groupShare(byName(groups, 'warning-sized')),
    idleRun: groupShare(byName(idle, 'idle'), 1),
    idleRunSized: groupShare(byName(idle, 'idle-sized'), 1),
    stepRows,
  };
  world.recorder.clear();
  return result;
}
