/**
 * Error messages shared by the SLA zod schemas, worded for the supervisor editing `rules/sla.yaml`.
 */

/**
 * The `error` option of a strict object: an unknown (often misspelt) field is named together with the
 * fields that are allowed there; any other failure (e.g. a list where an object belongs) says what was
 * expected.
 */
export const strictObjectError =
  (what: string, allowed: readonly string[]) =>
  (issue: { code?: string; keys?: readonly string[] }): string =>
    issue.code === 'unrecognized_keys'
      ? `unknown field ${(issue.keys ?? []).map((key) => JSON.stringify(key)).join(', ')}: ${what} takes ${allowed.join(', ')}`
      : `expected ${what} with ${allowed.join(', ')}`;
