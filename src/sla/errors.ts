/**
 * Errors raised by the SLA code. Each carries a stable `code` (the table below) so callers can map it to
 * an HTTP status or a CLI exit code in one place.
 *
 * | code                       | meaning                                                                  |
 * |----------------------------|--------------------------------------------------------------------------|
 * | `SLA_CONFIG_INVALID`       | a calendar, policy or `rules/sla.yaml` failed validation; see `issues`    |
 * | `SLA_NO_BUSINESS_TIME`     | a calendar has no business time within the search limit (100 years)     |
 */

/** One validation problem. `file`, `line` and `column` (1-based) are set when it comes from a YAML file. */
export type SlaConfigIssue = {
  /** dotted path of the offending field, e.g. `policies[1].targets.first_response` */
  path: string;
  message: string;
  file?: string;
  line?: number;
  column?: number;
};

/** Formats an issue as `file:line:column path: message` (the parts that are known). */
export const formatSlaConfigIssue = (issue: SlaConfigIssue): string => {
  const where = issue.file === undefined ? '' : `${issue.file}:${issue.line ?? 0}:${issue.column ?? 0} `;
  return `${where}${issue.path === '' ? '(root)' : issue.path}: ${issue.message}`;
};

/** A calendar, policy or SLA file is invalid. Nothing was changed; `issues` lists every problem found. */
export class SlaConfigError extends Error {
  readonly code = 'SLA_CONFIG_INVALID';
  readonly issues: SlaConfigIssue[];

  constructor(issues: SlaConfigIssue[], what = 'SLA configuration') {
    super(`${what} is invalid:\n${issues.map((issue) => `  ${formatSlaConfigIssue(issue)}`).join('\n')}`);
    this.name = 'SlaConfigError';
    this.issues = issues;
  }
}

/** Calendar arithmetic found no business time where it had to (e.g. holidays covering a century). */
export class SlaCalendarError extends Error {
  readonly code = 'SLA_NO_BUSINESS_TIME';

  constructor(message: string) {
    super(message);
    this.name = 'SlaCalendarError';
  }
}

/** Turns a zod-style path into `a.b[2].c`. */
export const formatIssuePath = (path: ReadonlyArray<PropertyKey>): string =>
  path
    .map((segment, i) => (typeof segment === 'number' ? `[${segment}]` : `${i === 0 ? '' : '.'}${String(segment)}`))
    .join('');
