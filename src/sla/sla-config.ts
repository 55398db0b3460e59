/**
 * The SLA configuration as a whole (`rules/sla.yaml`): calendars, policies, file-wide defaults. This file
 * validates the parsed object (cross-references included) and compiles it; load-sla-config.ts adds YAML
 * parsing and line/column positions.
 *
 * ```yaml
 * defaults: { warn_at: 0.75, pause_statuses: [pending], auto_reply_stops_first_response: false }
 * calendars: [ ... see calendar-schema.ts ... ]
 * policies:  [ ... see policy.ts ... ]
 * ```
 *
 * Checked across the file: calendar names are unique and not the built-in `24x7`; policy names are
 * unique; every policy names a calendar of the file or `24x7`; exactly one policy is `default: true`.
 */
import { z } from 'zod';
import { CALENDAR_24X7, BusinessCalendar, calendar24x7 } from './calendar.js';
import { calendarSchema } from './calendar-schema.js';
import { formatIssuePath, type SlaConfigIssue } from './errors.js';
import { strictObjectError } from './schema-messages.js';
import { compilePolicy, policyDefaultsSchema, policySchema, type SlaPolicy } from './policy.js';

export const slaFileSchema = z
  .strictObject({
    defaults: policyDefaultsSchema.optional(),
    calendars: z.array(calendarSchema, { error: 'expected a list of calendars' }).optional(),
    policies: z.array(policySchema, { error: 'expected a list of policies' }).min(1, { error: 'define at least one policy (one of them default: true)' }),
  }, { error: strictObjectError('the SLA file', ['defaults', 'calendars', 'policies']) })
  .superRefine(
    (file, ctx) => {
      // Runs even when parts of the file are invalid (see `when`), so cross-reference problems are
      // reported in the same pass as field problems: read the value defensively.
      const calendars = Array.isArray(file.calendars) ? file.calendars : [];
      const policies = Array.isArray(file.policies) ? file.policies : [];
      const calendarNames = new Set<string>([CALENDAR_24X7]);
      calendars.forEach((calendar, index) => {
        const name = (calendar as { name?: unknown } | null)?.name;
        if (typeof name !== 'string') return;
        if (name === CALENDAR_24X7) {
          ctx.addIssue({ code: 'custom', path: ['calendars', index, 'name'], message: `"${CALENDAR_24X7}" is built in (UTC, always open); give your calendar another name` });
        } else if (calendarNames.has(name)) {
          ctx.addIssue({ code: 'custom', path: ['calendars', index, 'name'], message: `calendar "${name}" is defined twice` });
        }
        calendarNames.add(name);
      });
      const policyNames = new Set<string>();
      const defaults: Array<{ index: number; name: string }> = [];
      policies.forEach((policy, index) => {
        const { name, calendar, default: isDefault } = (policy ?? {}) as { name?: unknown; calendar?: unknown; default?: unknown };
        if (typeof name === 'string') {
          if (policyNames.has(name)) ctx.addIssue({ code: 'custom', path: ['policies', index, 'name'], message: `policy "${name}" is defined twice` });
          policyNames.add(name);
        }
        if (typeof calendar === 'string' && !calendarNames.has(calendar)) {
          ctx.addIssue({
            code: 'custom',
            path: ['policies', index, 'calendar'],
            message: `unknown calendar "${calendar}": expected one of ${[...calendarNames].map((known) => `"${known}"`).join(', ')}`,
          });
        }
        if (isDefault === true) defaults.push({ index, name: String(name) });
      });
      if (policies.length > 0 && defaults.length === 0) {
        ctx.addIssue({ code: 'custom', path: ['policies'], message: 'no policy is marked default: true (exactly one must be)' });
      }
      for (const extra of defaults.slice(1)) {
        ctx.addIssue({ code: 'custom', path: ['policies', extra.index, 'default'], message: `only one policy can be the default; "${defaults[0].name}" already is` });
      }
    },
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  );

export type SlaFileDefinition = z.input<typeof slaFileSchema>;

/** A loaded, validated SLA configuration. */
export type SlaConfig = {
  /** every calendar by name, the built-in `24x7` included */
  calendars: ReadonlyMap<string, BusinessCalendar>;
  /** in file order (the order of matching) */
  policies: readonly SlaPolicy[];
  defaultPolicy: SlaPolicy;
};

export type BuildSlaConfigResult = { ok: true; config: SlaConfig } | { ok: false; issues: Array<SlaConfigIssue & { pathSegments: PropertyKey[]; atKey: boolean }> };

/**
 * Validates and compiles an SLA configuration object (the YAML shape). Pure; never throws for bad input.
 * Issues carry their path as segments too (and whether they are about a key rather than its value), so
 * a caller holding the source can add positions.
 */
export const buildSlaConfig = (input: unknown): BuildSlaConfigResult => {
  const parsed = slaFileSchema.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((issue) => {
        // Point at the unknown key itself rather than the object holding it.
        const atKey = issue.code === 'unrecognized_keys' && issue.keys.length > 0;
        const pathSegments = atKey ? [...issue.path, issue.keys[0]] : [...issue.path];
        return { path: formatIssuePath(pathSegments), pathSegments, atKey, message: issue.message };
      }),
    };
  }
  const calendars = new Map<string, BusinessCalendar>([[CALENDAR_24X7, calendar24x7]]);
  for (const definition of parsed.data.calendars ?? []) calendars.set(definition.name, new BusinessCalendar(definition));
  const policies = parsed.data.policies.map((definition) =>
    compilePolicy(definition, calendars.get(definition.calendar)!.dayLengthMinutes, parsed.data.defaults),
  );
  return { ok: true, config: { calendars, policies, defaultPolicy: policies.find((policy) => policy.isDefault)! } };
};
