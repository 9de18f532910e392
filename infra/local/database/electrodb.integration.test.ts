import { Entity, Service } from 'electrodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Connected, connect, TABLE } from './test-support.ts';

let db: Connected;
let service: ReturnType<typeof createService>;
beforeAll(async () => {
  db = await connect();
  service = createService(db);
});
afterAll(async () => {
  await db.close();
});

function createService({ documents }: Connected) {
  const config = { client: documents, table: TABLE };
  const ticket = new Entity(
    {
      model: { service: 'test', entity: 'ticket', version: '1' },
      attributes: {
        tenantId: { type: 'string', required: true },
        ticketId: { type: 'string', required: true },
        title: { type: 'string', required: true },
        version: { type: 'number', required: true },
      },
      indexes: {
        byId: {
          pk: {
            field: 'pk',
            composite: ['tenantId', 'ticketId'],
            // biome-ignore lint/suspicious/noTemplateCurlyInString: ElectroDB's key template syntax
            template: 't#${tenantId}#ticket#${ticketId}',
          },
          sk: { field: 'sk', composite: [], template: 'ticket' },
        },
      },
    },
    config,
  );
  const outbox = new Entity(
    {
      model: { service: 'test', entity: 'outbox', version: '1' },
      attributes: {
        tenantId: { type: 'string', required: true },
        eventId: { type: 'string', required: true },
        detailType: { type: 'string', required: true },
      },
      indexes: {
        byId: {
          pk: {
            field: 'pk',
            composite: ['tenantId', 'eventId'],
            // biome-ignore lint/suspicious/noTemplateCurlyInString: ElectroDB's key template syntax
            template: 't#${tenantId}#outbox#${eventId}',
          },
          sk: { field: 'sk', composite: [], template: 'outbox' },
        },
      },
    },
    config,
  );
  return new Service({ ticket, outbox }, config);
}

describe('ElectroDB against the local database', () => {
  it('writes two entities in one transaction', async () => {
    // Act
    const result = await service.transaction
      .write(({ ticket, outbox }) => [
        ticket.create({ tenantId: 'acme', ticketId: 't1', title: 'Printer on fire', version: 1 }).commit(),
        outbox.create({ tenantId: 'acme', eventId: 'e1', detailType: 'TicketOpened' }).commit(),
      ])
      .go();

    // Assess
    expect(result.canceled).toBe(false);
    const ticket = await service.entities.ticket.get({ tenantId: 'acme', ticketId: 't1' }).go();
    const event = await service.entities.outbox.get({ tenantId: 'acme', eventId: 'e1' }).go();
    expect(ticket.data).toEqual({ tenantId: 'acme', ticketId: 't1', title: 'Printer on fire', version: 1 });
    expect(event.data?.detailType).toBe('TicketOpened');
  });

  it('reports a cancelled transaction with the current item and writes nothing', async () => {
    // Prepare
    await service.entities.ticket
      .create({ tenantId: 'acme', ticketId: 't2', title: 'Old title', version: 3 })
      .go();

    // Act
    const result = await service.transaction
      .write(({ ticket, outbox }) => [
        outbox.create({ tenantId: 'acme', eventId: 'e2', detailType: 'TicketUpdated' }).commit(),
        ticket
          .patch({ tenantId: 'acme', ticketId: 't2' })
          .set({ title: 'New title' })
          .add({ version: 1 })
          .where(({ version }, { eq }) => eq(version, 2))
          .commit({ response: 'all_old' }),
      ])
      .go();

    // Assess
    expect(result.canceled).toBe(true);
    expect(result.data.map((entry) => [entry.rejected, entry.code])).toEqual([
      [false, 'None'],
      [true, 'ConditionalCheckFailed'],
    ]);
    expect(result.data[1]?.item).toEqual({
      tenantId: 'acme',
      ticketId: 't2',
      title: 'Old title',
      version: 3,
    });
    const event = await service.entities.outbox.get({ tenantId: 'acme', eventId: 'e2' }).go();
    expect(event.data).toBeNull();
  });
});
