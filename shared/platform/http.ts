import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { z } from 'zod';
import {
  type FieldError,
  HttpError,
  internalErrorProblem,
  PayloadTooLargeError,
  PreconditionRequiredError,
  type ProblemDetails,
  UnsupportedMediaTypeError,
  ValidationError,
} from './errors.ts';

/** Bodies above this are refused before parsing, unless the route declares more (`maxBodyBytes`). */
export const MAX_BODY_BYTES = 256 * 1024;
/** No route may declare more: Lambda takes at most 6 MB of request payload, escaping included. */
export const LARGEST_BODY_BYTES = 5 * 1024 * 1024;

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type HttpResult = APIGatewayProxyStructuredResultV2;

export function header(event: HttpEvent, name: string): string | undefined {
  return event.headers?.[name.toLowerCase()];
}

export function zodIssuesToFieldErrors(prefix: string, error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown, prefix: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(zodIssuesToFieldErrors(prefix, result.error));
  return result.data;
}

/** The JSON body, refused when too large, not JSON, or not declared as JSON. */
export function readJsonBody(event: HttpEvent, maxBytes = MAX_BODY_BYTES): unknown {
  if (event.body === undefined || event.body === null || event.body === '') return undefined;
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  const limit = Math.min(maxBytes, LARGEST_BODY_BYTES);
  if (Buffer.byteLength(raw, 'utf8') > limit) {
    throw new PayloadTooLargeError(`The body is larger than ${limit} bytes`);
  }
  const contentType = header(event, 'content-type') ?? '';
  if (!/^application\/([a-z0-9.+-]*\+)?json\b/i.test(contentType)) {
    throw new UnsupportedMediaTypeError('Send the body as application/json');
  }
  try {
    return JSON.parse(raw);
  } catch {
    throw new ValidationError(
      [{ path: 'body', message: 'The body is not valid JSON' }],
      'The body is not valid JSON',
    );
  }
}

/** The version a client last read, from `If-Match: "3"` (weak tags accepted). */
export function readIfMatch(event: HttpEvent): number {
  const value = header(event, 'if-match');
  if (value === undefined) {
    throw new PreconditionRequiredError(
      'Send If-Match with the ETag you last read, so no change is overwritten',
    );
  }
  const match = /^(?:W\/)?"(\d{1,15})"$/.exec(value.trim());
  if (!match?.[1]) {
    throw new ValidationError([
      { path: 'headers.if-match', message: 'If-Match must be an ETag such as "3"' },
    ]);
  }
  return Number(match[1]);
}

export function etagFor(version: number): string {
  return `"${version}"`;
}

export function jsonResult(status: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  if (status === 204) return { statusCode: 204, headers };
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  };
}

export function textResult(
  status: number,
  body: string,
  contentType: string,
  fileName: string | undefined,
  headers: Record<string, string> = {},
): HttpResult {
  return {
    statusCode: status,
    headers: {
      'content-type': contentType,
      ...(fileName
        ? { 'content-disposition': `attachment; filename="${fileName.replace(/[^\w.-]/g, '_')}"` }
        : {}),
      ...headers,
    },
    body,
  };
}

function problemResult(problem: ProblemDetails, headers: Record<string, string>): HttpResult {
  return {
    statusCode: problem.status,
    headers: { 'content-type': 'application/problem+json; charset=utf-8', ...headers },
    body: JSON.stringify(problem),
  };
}

/** Known errors speak for themselves; anything else is a 500 that says nothing of its cause. */
export function errorResult(error: unknown, instance: string, headers: Record<string, string>): HttpResult {
  if (error instanceof HttpError) return problemResult(error.toProblem(instance), headers);
  return problemResult(internalErrorProblem(instance), headers);
}
