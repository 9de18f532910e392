/** ElectroDB model identity shared by every entity of the table. */
export const MODEL = { service: 'itsm', version: '1' } as const;
