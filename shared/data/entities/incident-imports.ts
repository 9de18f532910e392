import { Entity } from 'electrodb';
import { MODEL } from './model.ts';

/*
 * Imports of incident history from CSV. One partition per import, `t#<tenant>#incident-import#<id>`:
 * the job (sk `job`) with its counts, the rows to import in chunks (sk `rows#<nnnn>`, each with the
 * drafts checked at the start and, once imported, which incident each row became), and the rows refused
 * at the start (sk `rejected#<nnnn>`). A reference per original number imported
 * (`t#<tenant>#incident-import-ref#<number>`) keeps a second import of the same file from creating the
 * incidents twice. Jobs and references are listed in gsi1 `t#<tenant>#incident-imports`, so export and
 * deletion find them with one Query. See functions/incidents/README.md, "Import".
 */

const importPk = {
  field: 'pk',
  casing: 'none',
  composite: ['tenantId', 'jobId'],
  template: 't#${tenantId}#incident-import#${jobId}',
} as const;

const importsList = {
  field: 'gsi1pk',
  casing: 'none',
  composite: ['tenantId'],
  template: 't#${tenantId}#incident-imports',
} as const;

export function incidentImportEntity() {
  return new Entity({
    model: { ...MODEL, entity: 'incidentImport' },
    attributes: {
      tenantId: { type: 'string', required: true, readOnly: true },
      jobId: { type: 'string', required: true, readOnly: true },
      status: { type: ['running', 'done'] as const, required: true },
      /** Rows below the header in the file. */
      rows: { type: 'number', required: true, readOnly: true },
      /** Rows to import; `done` counts up to it. */
      total: { type: 'number', required: true, readOnly: true },
      done: { type: 'number', required: true },
      created: { type: 'number', required: true },
      rejected: { type: 'number', required: true },
      /** How many `rows#` chunks there are, and how many `rejected#` ones. */
      chunks: { type: 'number', required: true, readOnly: true },
      rejectedChunks: { type: 'number', required: true, readOnly: true },
      /** The file's column the original numbers came from, to name in a refusal found while importing. */
      numberColumn: { type: 'string', readOnly: true },
      /** Who started it: the actor of the incidents it creates, in their timelines and the audit trail. */
      requestedBy: { type: 'string', required: true, readOnly: true },
      requestedByName: { type: 'string', required: true, readOnly: true },
      startedAt: { type: 'string', required: true, readOnly: true },
      updatedAt: { type: 'string', required: true },
      finishedAt: { type: 'string' },
      /** The report is kept for a while after the import, then the table's TTL removes it. */
      expiresAt: { type: 'number', required: true, readOnly: true },
    },
    indexes: {
      byJob: { pk: importPk, sk: { field: 'sk', casing: 'none', composite: [], template: 'job' } },
      byTenant: {
        index: 'gsi1',
        pk: importsList,
        sk: {
          field: 'gsi1sk',
          casing: 'none',
          composite: ['startedAt', 'jobId'],
          template: 'job#${startedAt}#${jobId}',
        },
      },
    },
  });
}

/** Rows of an import: to import (`rows`) or refused at the start (`rejected`), a few hundred per item. */
export function incidentImportChunkEntity() {
  return new Entity({
    model: { ...MODEL, entity: 'incidentImportChunk' },
    attributes: {
      tenantId: { type: 'string', required: true, readOnly: true },
      jobId: { type: 'string', required: true, readOnly: true },
      kind: { type: ['rows', 'rejected'] as const, required: true, readOnly: true },
      /** Zero-padded, so the chunks sort in order. */
      index: { type: 'string', required: true, readOnly: true },
      /** JSON text: the drafts to import, or the refused rows with their problems. Emptied once imported. */
      rows: { type: 'string', required: true },
      /** JSON text, once imported: per row the incident it became, or why it was not imported. */
      results: { type: 'string' },
      /** The first of the incident numbers reserved for this chunk, so a re-run gives every row the same. */
      firstSequence: { type: 'number' },
      expiresAt: { type: 'number', required: true, readOnly: true },
    },
    indexes: {
      byJob: {
        pk: importPk,
        sk: { field: 'sk', casing: 'none', composite: ['kind', 'index'], template: '${kind}#${index}' },
      },
    },
  });
}

/** An original number imported, and the incident it became. */
export function incidentImportRefEntity() {
  return new Entity({
    model: { ...MODEL, entity: 'incidentImportRef' },
    attributes: {
      tenantId: { type: 'string', required: true, readOnly: true },
      /** Upper-cased and trimmed (`originalNumberKey`). */
      originalKey: { type: 'string', required: true, readOnly: true },
      incidentId: { type: 'string', required: true, readOnly: true },
      number: { type: 'string', required: true, readOnly: true },
      jobId: { type: 'string', required: true, readOnly: true },
      row: { type: 'number', required: true, readOnly: true },
      importedAt: { type: 'string', required: true, readOnly: true },
    },
    indexes: {
      byNumber: {
        pk: {
          field: 'pk',
          casing: 'none',
          composite: ['tenantId', 'originalKey'],
          template: 't#${tenantId}#incident-import-ref#${originalKey}',
        },
        sk: { field: 'sk', casing: 'none', composite: [], template: 'ref' },
      },
      byTenant: {
        index: 'gsi1',
        pk: importsList,
        sk: { field: 'gsi1sk', casing: 'none', composite: ['originalKey'], template: 'ref#${originalKey}' },
      },
    },
  });
}
