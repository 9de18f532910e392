import { Logger } from '@aws-lambda-powertools/logger';

/** One structured logger per process; keys added per invocation are cleared after it. */
export function createLogger(processName: string): Logger {
  return new Logger({
    serviceName: processName,
    logLevel: (process.env.LOG_LEVEL as 'INFO' | 'DEBUG' | 'WARN' | 'ERROR' | 'SILENT' | undefined) ?? 'INFO',
  });
}
