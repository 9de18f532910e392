import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '#infra/local/cloud.ts';
import { getDatabase } from '#shared/data/database.ts';
import { WEEKDAYS } from '#shared/domain/tenancy/defaults.ts';

/*
 * An incident's life through the local cloud, as people would live it: a requester reports, an agent
 * picks it from the unassigned queue, works it, puts it on hold and back, resolves it; the requester
 * confirms and rates. Then, on a controllable clock, an incident nobody takes breaches its response
 * target, and the SLA monitor says so once.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'itsm-incident-flow-'));
let cloud: LocalCloud;
const tokens: Record<string, string> = {};

interface Body {
  incidentId: string;
  number: string;
  state: string;
  userId: string;
  teamIds: string[];
  teamId: string | null;
  sla: {
    responseDueAt: string | null;
    resolutionDueAt: string | null;
    resolutionStatus: string;
    responseStatus: string;
  };
  satisfaction: { rating: number } | null;
  items: { incidentId: string; action: string; sla: { resolutionDueAt: string | null } }[];
  timeline: { kind: string; text: string; visibility: string }[];
}

async function api(who: string, path: string, init: RequestInit = {}) {
  const response = await fetch(`${cloud.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${tokens[who]}`, 'content-type': 'application/json', ...init.headers },
  });
  return {
    status: response.status,
    etag: response.headers.get('etag') ?? '',
    json: (await response.json()) as Body,
  };
}

const send = (method: string, body: unknown, etag?: string): RequestInit => ({
  method,
  body: JSON.stringify(body),
  ...(etag ? { headers: { 'if-match': etag } } : {}),
});

beforeAll(async () => {
  cloud = await startLocalCloud({
    dataDir,
    seedDemo: true,
    busRetry: { attempts: 2, baseDelayMs: 10 },
    ttlSweepMs: 0,
  });
  for (const who of ['requester', 'agent']) tokens[who] = await cloud.login(`${who}@acme.example`);
  // Round the clock for acme, so due times do not depend on when the test runs (no settings route yet).
  const hours = await getDatabase()
    .entities.tenantSetting.get({ tenantId: 'acme', name: 'business-hours' })
    .go();
  const value = JSON.parse(hours.data?.value ?? '{}') as { week: unknown[] };
  value.week = WEEKDAYS.map((day) => ({ day, start: '00:00', end: '24:00' }));
  await getDatabase()
    .entities.tenantSetting.patch({ tenantId: 'acme', name: 'business-hours' })
    .set({ value: JSON.stringify(value) })
    .go();
}, 120_000);

afterAll(async () => {
  await cloud?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('incident lifecycle', () => {
  it('is reported, worked with a hold, resolved, confirmed and rated', async () => {
    const reported = await api(
      'requester',
      '/api/incidents',
      send('POST', { shortDescription: 'VPN drops every hour', urgency: 'high' }),
    );
    expect(reported.status).toBe(201);
    const id = reported.json.incidentId;

    const unassigned = await api('agent', '/api/incidents/queue?queue=unassigned&limit=100');
    const line = unassigned.json.items.find((item) => item.incidentId === id);
    expect(line?.sla.resolutionDueAt).toBe(reported.json.sla.resolutionDueAt);

    const me = await api('agent', '/api/me');
    let etag = reported.etag;
    const step = async (path: string, method: string, body: unknown) => {
      const answer = await api('agent', `/api/incidents/${id}${path}`, send(method, body, etag));
      expect(answer.status, JSON.stringify(answer.json)).toBe(200);
      etag = answer.etag;
      return answer;
    };
    const assigned = await step('/assignment', 'PUT', {
      teamId: me.json.teamIds[0],
      assigneeId: me.json.userId,
    });
    expect(assigned.json.state).toBe('assigned');
    await step('/state', 'POST', { to: 'in-progress' });
    await step('/work-notes', 'POST', { text: 'Tunnel renegotiation fails; checking the concentrator' });
    const held = await step('/state', 'POST', { to: 'on-hold', reason: 'awaiting-caller' });
    expect(held.json.sla.resolutionStatus).toBe('paused');
    expect(held.json.sla.resolutionDueAt).toBeNull();
    const resumed = await step('/state', 'POST', { to: 'in-progress' });
    expect(resumed.json.sla.resolutionStatus).toBe('running');
    const resolved = await step('/state', 'POST', {
      to: 'resolved',
      resolutionCode: 'solved',
      resolutionNotes: 'Client updated',
    });
    expect(resolved.json.state).toBe('resolved');

    const wrong = await api(
      'agent',
      `/api/incidents/${id}/state`,
      send('POST', { to: 'on-hold', reason: 'awaiting-caller' }, etag),
    );
    expect(wrong.status).toBe(409);
    expect(wrong.json).toMatchObject({ allowed: ['in-progress'] });

    const confirmed = await api(
      'requester',
      `/api/incidents/${id}/resolution`,
      send('POST', { decision: 'confirm' }, etag),
    );
    expect(confirmed.status).toBe(200);
    const rated = await api(
      'requester',
      `/api/incidents/${id}/satisfaction`,
      send('PUT', { rating: 5, comment: 'Quick' }, confirmed.etag),
    );
    expect(rated.status).toBe(200);
    expect(rated.json.satisfaction).toMatchObject({ rating: 5 });

    const staffView = await api('agent', `/api/incidents/${id}`);
    expect(staffView.json.timeline.map((entry) => entry.text)).toContain('Put on hold: awaiting-caller');
    expect(staffView.json.timeline.some((entry) => entry.kind === 'work-note')).toBe(true);
    const callerView = await api('requester', `/api/incidents/${id}`);
    expect(callerView.json.timeline.some((entry) => entry.kind === 'work-note')).toBe(false);
    expect(callerView.json.timeline.map((entry) => entry.kind)).toEqual(
      expect.arrayContaining([
        'created',
        'assignment',
        'state-change',
        'resolution-confirmed',
        'satisfaction',
      ]),
    );
  });

  it('raises SlaBreached once, within a minute of its due time, and escalates by the tenant’s rule', async () => {
    const teams = await getDatabase().entities.team.query.byName({ tenantId: 'acme' }).go();
    const infrastructure = teams.data.find((team) => team.name === 'Infrastructure');
    const agentId = decodeJwt(tokens.agent ?? '').sub ?? '';
    await getDatabase()
      .entities.tenantSetting.put({
        tenantId: 'acme',
        name: 'incidents',
        value: JSON.stringify({
          autoCloseDays: 5,
          warningThreshold: 0.75,
          escalationRules: [
            {
              ruleId: 'p1-response',
              name: 'P1 without response',
              on: 'breach',
              clock: 'response',
              priorities: ['P1'],
              notifyUserIds: [agentId],
              reassignTeamId: infrastructure?.teamId,
            },
          ],
        }),
        version: 1,
        updatedAt: new Date().toISOString(),
      })
      .go();
    const reported = await api(
      'requester',
      '/api/incidents',
      send('POST', { shortDescription: 'Plant line down', impact: 'high', urgency: 'high' }),
    );
    expect(reported.status).toBe(201);
    const id = reported.json.incidentId;
    const due = Date.parse(reported.json.sla.responseDueAt ?? '');

    const runAt = async (at: number) => {
      // A run of the real timer may be under way; the scheduler leaves the period to it then.
      for (let tries = 0; tries < 20 && (await cloud.scheduler.runDue(new Date(at))) === 0; tries += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await cloud.idle();
    };
    await runAt(due + 60_000);
    await runAt(due + 3 * 60_000);

    const record = await api('agent', `/api/incidents/${id}`);
    const breaches = record.json.timeline.filter((entry) =>
      entry.text.startsWith('SLA breached: the response'),
    );
    expect(breaches).toHaveLength(1);
    expect(record.json.sla.responseStatus).toBe('breached');
    // Announced by the first run after the due minute: the monitor's moment is the due time itself.
    expect(breaches[0]?.text).toBe(
      `SLA breached: the response target was reached at ${new Date(due).toISOString()}`,
    );
    const audit = await api('agent', `/api/audit/incident/${id}`);
    expect(audit.json.items.filter((entry) => entry.action === 'sla-breached')).toHaveLength(1);

    const escalations = record.json.timeline.filter((entry) => entry.kind === 'escalation');
    expect(escalations.map((entry) => entry.text)).toEqual([
      'Escalated by P1 without response: handed to another team, people notified',
    ]);
    expect(record.json.teamId).toBe(infrastructure?.teamId);
    expect(audit.json.items.filter((entry) => entry.action === 'escalated')).toHaveLength(1);
    const notified = await api('agent', '/api/notifications');
    const escalated = notified.json.items as unknown as { kind: string; incidentId: string }[];
    expect(
      escalated.filter((item) => item.kind === 'incident-escalated' && item.incidentId === id),
    ).toHaveLength(1);
  });
});
