import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';

/*
 * The emulator alone, in its own process, on the local cloud's data folder: bulk loading writes here
 * directly, on a second core, without the local cloud's proxy (which reads every item before and after
 * a write to feed the change stream, and serialises all requests). Prints its port; closes the store
 * cleanly on SIGTERM or when its parent goes away.
 */
const path = process.argv[2];
if (!path) throw new Error('usage: node bench/lib/dynalite-server.ts <leveldb folder>');
const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
// The loader holds our stdin open; when it ends (the loader exited, even by crashing), so do we.
process.stdin.on('end', stop);
process.stdin.resume();
