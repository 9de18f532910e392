import { join, resolve } from 'node:path';
import { startLocalCloud } from './cloud.ts';
import { DEMO_PASSWORD, demoUsers } from './demo-data.ts';

/*
 * `npm start`: the whole product on this machine. Data is kept in .data/local between starts;
 * delete that folder for a fresh demo.
 */
const root = resolve(import.meta.dirname, '../..');
const port = Number(process.env.PORT ?? 3000);
const started = Date.now();

const cloud = await startLocalCloud({
  dataDir: process.env.ITSM_DATA_DIR ?? join(root, '.data', 'local'),
  port,
  host: process.env.HOST ?? '127.0.0.1',
  webDir: join(root, 'web', 'build'),
  seedDemo: true,
  demoIncidents: true,
  print: (line) => console.log(`${new Date().toISOString().slice(11, 23)} ${line}`),
});

const logins = demoUsers.map(
  (user) => `  ${user.email.padEnd(28)} ${user.tenantId.padEnd(9)} ${user.roles.join(', ')}`,
);
console.log(
  [
    '',
    `ITSM is running at ${cloud.url}  (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
    `API description: ${cloud.url}/api/openapi.json`,
    `Captured mail: ${cloud.url}/_local/invitations (invitations), ${cloud.url}/_local/mail (notifications)`,
    `Dead letters: ${cloud.url}/_local/dead-letters`,
    '',
    `Demo logins (password ${DEMO_PASSWORD}):`,
    ...logins,
    '',
    'Press Ctrl-C to stop.',
    '',
  ].join('\n'),
);

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping...`);
  await cloud.stop();
  console.log('Stopped; data kept for the next start.');
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
