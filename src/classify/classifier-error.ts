/**
 * Errors of the classifier, each with a code from one table, an internal message (for logs) and a
 * message fit for a supervisor (for the API and the CLI). The API layer maps codes to HTTP statuses.
 */

/** Every error code the classifier can raise or report. */
export const CLASSIFIER_ERROR_CODES = {
  /** No labeled examples at all: there is nothing to learn from; rules alone decide. */
  CLASSIFIER_NO_EXAMPLES: 'There are no labeled examples yet, so there is no classifier; rules alone decide.',
  /** Examples exist but all carry one category: a classifier needs at least two to choose between. */
  CLASSIFIER_ONE_CATEGORY: 'All labeled examples have the same category; at least two categories are needed.',
  /** The examples file could not be read or is not CSV/JSONL with `text` and `category`. */
  CLASSIFIER_BAD_EXAMPLES_FILE: 'The examples file could not be read as CSV or JSONL with text and category.',
  /** The model file is damaged: wrong magic bytes, truncated, or its checksum does not match. */
  CLASSIFIER_MODEL_CORRUPT: 'The model file is damaged and cannot be loaded; retrain or restore it.',
  /** The model file was written by an incompatible version of Mailroom's classifier. */
  CLASSIFIER_MODEL_WRONG_FORMAT: 'The model file was written by an incompatible version; retrain the model.',
  /** Options passed to a classifier function are out of range (e.g. a threshold outside 0..1). */
  CLASSIFIER_BAD_OPTIONS: 'The classifier options are invalid.',
} as const;

export type ClassifierErrorCode = keyof typeof CLASSIFIER_ERROR_CODES;

/** An error of the classifier; `code` is stable, `userMessage` can be shown to a supervisor. */
export class ClassifierError extends Error {
  readonly code: ClassifierErrorCode;
  readonly userMessage: string;

  constructor(code: ClassifierErrorCode, message: string, userMessage: string = CLASSIFIER_ERROR_CODES[code]) {
    super(message);
    this.name = 'ClassifierError';
    this.code = code;
    this.userMessage = userMessage;
  }
}
