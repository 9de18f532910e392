import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/*
 * `npm start` as a person uses it: start, sign in, Ctrl-C, start again on the same data.
 */
const root = resolve(import.meta.dirname, '../..');
const dataDir = mkdtempSync(join(tmpdir(), 'itsm-lifecycle-'));
const children: ChildProcess[] = [];

function startProduct(): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, [join(root, 'infra/local/main.ts')], {
    cwd: root,
    env: { ...process.env, ITSM_DATA_DIR: dataDir, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready in 30 s:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /ITSM is running at (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolvePromise({ child, url: match[1], output: () => output });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });
}

function stopWithCtrlC(child: ChildProcess): Promise<number | null> {
  return new Promise((resolvePromise) => {
    child.once('exit', (code) => resolvePromise(code));
    child.kill('SIGINT');
  });
}

async function serviceIds(url: string): Promise<string[]> {
  const login = await fetch(`${url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'agent@globex.example', password: 'Demo-2026!' }),
  });
  const { idToken } = (await login.json()) as { idToken: string };
  const list = await fetch(`${url}/api/services?limit=100`, {
    headers: { authorization: `Bearer ${idToken}` },
  });
  return ((await list.json()) as { items: { serviceId: string }[] }).items.map(
    (service) => service.serviceId,
  );
}

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the local cloud', () => {
  it('starts with demo data, stops cleanly on Ctrl-C and keeps its data for the next start', async () => {
    const first = await startProduct();
    expect(first.output()).toContain('Demo logins');
    const seeded = await serviceIds(first.url);
    expect(seeded.length).toBeGreaterThan(0);

    expect(await stopWithCtrlC(first.child)).toBe(0);
    expect(first.output()).toContain('Stopped');

    const second = await startProduct();
    expect(await serviceIds(second.url)).toEqual(seeded);
    expect(await stopWithCtrlC(second.child)).toBe(0);
  }, 90_000);
});
