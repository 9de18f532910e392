import type { EventDefinition } from './envelope.ts';
import { ServiceCreated, ServiceUpdated } from './service-catalogue.ts';

/** Every domain event the platform publishes. A contract test checks each published event against it. */
export const eventCatalogue: readonly EventDefinition[] = [ServiceCreated, ServiceUpdated];

export function findEvent(source: string, detailType: string): EventDefinition | undefined {
  return eventCatalogue.find((event) => event.source === source && event.detailType === detailType);
}
