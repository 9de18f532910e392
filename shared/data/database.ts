import { getDocumentClient } from '../platform/clients.ts';
import { tableName } from '../platform/table.ts';
import { createDatabase, type Database } from './entities.ts';

let database: Database | undefined;

/** The table's entities, bound to the container's client; created once. */
export function getDatabase(): Database {
  database ??= createDatabase(getDocumentClient(), tableName());
  return database;
}
