import { field, versionOf } from '../lib/api.ts';
import type { InvocationRecord } from '../lib/instrument.ts';
import { say } from '../lib/progress.ts';
import { type Latency, latency } from '../lib/stats.ts';
import { measure, type World } from '../lib/world.ts';

/*
 * Part 3: from a committed write to a consumer's effect. The clock starts when the route's transaction
 * (state change + outbox item) has committed and stops when the consumer's own write has committed:
 * table stream → outbox function → PutEvents → bus rule → consumer, as in AWS.
 */

export interface EventPath {
  readonly name: string;
  readonly latency: Latency;
  readonly goalMet: boolean;
}

function committedAt(record: InvocationRecord): number {
  const writes = record.requests.filter(
    (request) => request.operation === 'TransactWriteItems' && !request.failed,
  );
  const last = writes.at(-1);
  if (!last) throw new Error(`${record.name} committed no transaction`);
  return last.endedAt;
}

function effectAt(
  downstream: readonly InvocationRecord[],
  processName: string,
  detailType: string,
): number | undefined {
  const consumer = downstream.find(
    (record) =>
      record.processName === processName && record.kind === 'subscription' && record.name === detailType,
  );
  const writes = consumer?.requests.filter(
    (request) =>
      ['TransactWriteItems', 'PutItem', 'UpdateItem', 'BatchWriteItem'].includes(request.operation) &&
      !request.failed,
  );
  return writes?.[0]?.endedAt;
}

export async function measureEvents(world: World, samples: number): Promise<EventPath[]> {
  const tenant = world.small;
  const audit: number[] = [];
  const notification: number[] = [];
  say(
    `events: ${samples} creates (→ audit entry) and ${samples} assignments (→ the assignee's notification)`,
  );
  for (let sample = 0; sample < samples; sample += 1) {
    const created = await measure(world, tenant.tokens.requester, 'POST', '/api/incidents', {
      body: { shortDescription: 'Event probe: the badge reader refuses my card', urgency: 'high' },
    });
    const auditAt = effectAt(created.downstream, 'audit', 'IncidentCreated');
    if (auditAt === undefined) throw new Error('IncidentCreated reached no audit entry');
    audit.push(auditAt - committedAt(created.route));

    world.recorder.label = 'setup';
    const incident = { id: field(created.answer, 'incidentId'), version: versionOf(created.answer) };
    // The admin dispatches to the agent: people are not notified of what they did themselves.
    const assigned = await measure(
      world,
      tenant.tokens.admin,
      'PUT',
      `/api/incidents/${incident.id}/assignment`,
      {
        body: { teamId: tenant.teamId, assigneeId: tenant.agentId },
        ifMatch: incident.version,
      },
    );
    const notifiedAt = effectAt(assigned.downstream, 'notifications', 'IncidentAssigned');
    if (notifiedAt === undefined) throw new Error('IncidentAssigned reached no notification');
    notification.push(notifiedAt - committedAt(assigned.route));
  }
  world.recorder.clear();
  const paths = [
    { name: 'IncidentCreated → audit entry written', samples: audit },
    { name: 'IncidentAssigned → assignee’s notification written', samples: notification },
  ].map(({ name, samples: values }) => {
    const measured = latency(values);
    return { name, latency: measured, goalMet: measured.p95 <= 1_000 };
  });
  for (const path of paths) say(`  ${path.name}: p50 ${path.latency.p50} ms, p95 ${path.latency.p95} ms`);
  return paths;
}
