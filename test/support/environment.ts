/*
 * Environment every test process starts with: what Lambda would set, with no way to reach AWS.
 * Suites that need a database or bus start their own emulators and override the endpoints.
 */
process.env.AWS_REGION ??= 'local';
process.env.AWS_ACCESS_KEY_ID ??= 'test';
process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
process.env.TABLE_NAME ??= 'itsm';
process.env.EVENT_BUS_NAME ??= 'itsm-test';
process.env.USER_POOL_ID ??= 'local_pool';
process.env.CURSOR_SIGNING_KEY ??= 'test-cursor-signing-key-of-at-least-32-characters';
process.env.LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_DEV ??= 'false';
