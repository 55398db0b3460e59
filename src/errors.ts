/**
 * Every error Mailroom reports to a caller carries a code from this table, a message fit for the user
 * and an HTTP status. The API maps AppError to a response in one place (src/api/error-handler.ts).
 */
export const AppErrorCode = {
  /** the request body or a parameter failed validation */
  INVALID_REQUEST: { status: 400, message: 'The request is not valid' },
  /** the request body was empty where a message was expected */
  EMPTY_BODY: { status: 400, message: 'The request body is empty' },
  /** missing or wrong bearer token, secret or signature */
  UNAUTHORIZED: { status: 401, message: 'Authentication is required' },
  /** authenticated, but not allowed to do this (an agent pulling from a queue they are not a member of) */
  FORBIDDEN: { status: 403, message: 'Not allowed' },
  /** no such ticket, message, form or job */
  NOT_FOUND: { status: 404, message: 'Not found' },
  /** the action conflicts with the current state (e.g. retrying a message that is not failed) */
  CONFLICT: { status: 409, message: 'The resource is not in a state that allows this' },
  /** rule files failed validation; `details.errors` lists each one with file, line, column, field and message */
  RULES_INVALID: { status: 422, message: 'The rule files are not valid' },
  /** the body is over MAILROOM_MAX_MESSAGE_BYTES or the route's limit */
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large' },
  /** the body's content type is not one the route accepts */
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Unsupported content type' },
  /** too many requests from this client; retry later */
  RATE_LIMITED: { status: 429, message: 'Too many requests' },
  /** the database or the queue did not answer */
  UNAVAILABLE: { status: 503, message: 'A service Mailroom depends on is unavailable' },
  /** anything unexpected: logged with its stack, reported without it */
  INTERNAL: { status: 500, message: 'Internal error' },
} as const;

export type AppErrorCodeName = keyof typeof AppErrorCode;

export class AppError extends Error {
  readonly code: AppErrorCodeName;
  readonly status: number;
  readonly userMessage: string;

  constructor(code: AppErrorCodeName, internalMessage?: string, userMessage?: string) {
    super(internalMessage ?? AppErrorCode[code].message);
    this.name = 'AppError';
    this.code = code;
    this.status = AppErrorCode[code].status;
    this.userMessage = userMessage ?? internalMessage ?? AppErrorCode[code].message;
  }
}
