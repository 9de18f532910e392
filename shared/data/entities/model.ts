/** ElectroDB model identity shared by every entity of the table. */
export const MODEL = { service: 'itsm', version: '1' } as const;

/** A display name and its lower-cased twin, kept in step by ElectroDB, so lists sort by name. */
export const NAMED = {
  name: { type: 'string', required: true },
  sortName: {
    type: 'string',
    watch: ['name'],
    set: (_: unknown, item: { name?: string }) => item.name?.toLocaleLowerCase('en'),
  },
} as const;

/** The optimistic-concurrency version and the timestamps every mutable record carries. */
export const VERSIONED = {
  version: { type: 'number', required: true },
  createdAt: { type: 'string', required: true, readOnly: true },
  updatedAt: { type: 'string', required: true },
} as const;

/** The index of a tenant's records of one kind by name: `<prefix>` / `<lower name>#<id>`. */
export function byNameIndex<const Id extends string>(listKey: string, idAttribute: Id) {
  return {
    index: 'gsi1',
    pk: { field: 'gsi1pk', casing: 'none', composite: ['tenantId'], template: `t#\${tenantId}#${listKey}` },
    sk: {
      field: 'gsi1sk',
      casing: 'none',
      composite: ['sortName', idAttribute],
      template: `\${sortName}#\${${idAttribute}}`,
    },
  } as const;
}
