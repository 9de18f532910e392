/**
 * Runtime configuration, read from `/config.json` when the app starts. The same build runs against
 * the local cloud and against AWS; only this file, written by whoever serves the app, differs.
 */

import { isRecord } from './json.ts';

export interface DemoLogin {
  email: string;
  name: string;
  roles: string[];
  tenantId: string;
}

export interface LocalConfig {
  mode: 'local';
  apiBase: string;
  authBase: string;
  demoLogins?: DemoLogin[];
  demoPassword?: string;
}

export interface CognitoConfig {
  mode: 'cognito';
  apiBase: string;
  region: string;
  userPoolId: string;
  clientId: string;
}

export type RuntimeConfig = LocalConfig | CognitoConfig;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

let current: RuntimeConfig | undefined;
let pending: Promise<RuntimeConfig> | undefined;

/** Fetches the configuration once; later calls share the first answer. */
export function loadConfig(fetchFn: typeof fetch = fetch): Promise<RuntimeConfig> {
  pending ??= fetchFn('/config.json', { cache: 'no-store', headers: { accept: 'application/json' } })
    .then(async (response) => {
      if (!response.ok) throw new ConfigError(`/config.json answered ${response.status}`);
      current = parseConfig(await response.json());
      return current;
    })
    .catch((error: unknown) => {
      // Let a later navigation try again instead of keeping the failure forever.
      pending = undefined;
      throw error;
    });
  return pending;
}

/** The loaded configuration; the root layout loads it before any page runs. */
export function getConfig(): RuntimeConfig {
  if (!current) throw new ConfigError('The configuration has not been loaded yet');
  return current;
}

function parseConfig(raw: unknown): RuntimeConfig {
  if (!isRecord(raw)) throw new ConfigError('/config.json is not an object');
  const apiBase = text(raw, 'apiBase');
  if (raw.mode === 'local') {
    const config: LocalConfig = { mode: 'local', apiBase, authBase: text(raw, 'authBase') };
    if (Array.isArray(raw.demoLogins)) config.demoLogins = raw.demoLogins.filter(isDemoLogin);
    if (typeof raw.demoPassword === 'string') config.demoPassword = raw.demoPassword;
    return config;
  }
  if (raw.mode === 'cognito') {
    return {
      mode: 'cognito',
      apiBase,
      region: text(raw, 'region'),
      userPoolId: text(raw, 'userPoolId'),
      clientId: text(raw, 'clientId'),
    };
  }
  throw new ConfigError(`/config.json has an unknown mode: ${String(raw.mode)}`);
}

function text(raw: Record<string, unknown>, key: string): string {
  const value = raw[key];
  if (typeof value !== 'string' || value.length === 0) throw new ConfigError(`/config.json lacks ${key}`);
  return value;
}

function isDemoLogin(value: unknown): value is DemoLogin {
  return (
    isRecord(value) &&
    typeof value.email === 'string' &&
    typeof value.name === 'string' &&
    typeof value.tenantId === 'string' &&
    Array.isArray(value.roles) &&
    value.roles.every((role) => typeof role === 'string')
  );
}
