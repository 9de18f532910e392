/**
 * The errors a request can end in. Each knows its HTTP status and turns itself into an RFC 9457
 * problem+json body; anything else becomes a bare 500 whose details stay in the log.
 */
export interface FieldError {
  /** Dotted path of the offending field, e.g. `body.name` or `query.limit`. */
  readonly path: string;
  readonly message: string;
}

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export abstract class HttpError extends Error {
  abstract readonly status: number;
  abstract readonly title: string;
  /** Extra members for the problem body (never internals). */
  readonly extensions: Record<string, unknown>;

  constructor(detail: string, extensions: Record<string, unknown> = {}) {
    super(detail);
    this.name = new.target.name;
    this.extensions = extensions;
  }

  toProblem(instance?: string): ProblemDetails {
    return {
      type: 'about:blank',
      title: this.title,
      status: this.status,
      detail: this.message,
      ...(instance ? { instance } : {}),
      ...this.extensions,
    };
  }
}

export class ValidationError extends HttpError {
  readonly status = 400;
  readonly title = 'Bad Request';
  readonly errors: FieldError[];
  constructor(errors: FieldError[], detail = 'The request has invalid fields') {
    super(detail, { errors });
    this.errors = errors;
  }
}

export class UnauthorizedError extends HttpError {
  readonly status = 401;
  readonly title = 'Unauthorized';
}

export class ForbiddenError extends HttpError {
  readonly status = 403;
  readonly title = 'Forbidden';
}

/** Also the answer for a record of another tenant: its existence is not revealed. */
export class NotFoundError extends HttpError {
  readonly status = 404;
  readonly title = 'Not Found';
}

export class ConflictError extends HttpError {
  readonly status = 409;
  readonly title = 'Conflict';
}

export class PreconditionFailedError extends HttpError {
  readonly status = 412;
  readonly title = 'Precondition Failed';
}

export class PayloadTooLargeError extends HttpError {
  readonly status = 413;
  readonly title = 'Payload Too Large';
}

export class UnsupportedMediaTypeError extends HttpError {
  readonly status = 415;
  readonly title = 'Unsupported Media Type';
}

export class PreconditionRequiredError extends HttpError {
  readonly status = 428;
  readonly title = 'Precondition Required';
}

export function internalErrorProblem(instance?: string): ProblemDetails {
  return {
    type: 'about:blank',
    title: 'Internal Server Error',
    status: 500,
    detail: 'Something went wrong on our side; the request was not applied.',
    ...(instance ? { instance } : {}),
  };
}
