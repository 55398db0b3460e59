/**
 * The SLA configuration a running Mailroom uses: `<rules dir>/sla.yaml`, loaded (and hot-reloaded)
 * together with the rules by the live decider (src/decide/live-decider.ts), and what the decision code
 * takes from it: the `selectSlaPolicy` stage of `decide` and the rule context (time zone and business
 * hours of the default policy's calendar).
 *
 * Three situations:
 * - no sla.yaml: the built-in configuration, one policy `default` on the `24x7` calendar with no
 *   targets. Clocks run and response times are measured (reports work); nothing is promised, so no
 *   warning or breach ever fires.
 * - a valid file: its policies and calendars.
 * - an invalid file: the running configuration is kept (a broken file never replaces a working one)
 *   and the problems are reported in /health. When the file is invalid from the start there is no
 *   configuration (`config: null`): the SLA module then leaves every ticket's stored clocks as they
 *   are until the file is fixed, rather than recompute them against a guess.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { DecideStages } from '../decide/decide.js';
import type { RuleContext } from '../rules/rule-types.js';
import { CALENDAR_24X7, calendar24x7, isBusinessTime, type BusinessCalendar } from './calendar.js';
import { SlaConfigError, type SlaConfigIssue } from './errors.js';
import { loadSlaConfigFile } from './load-sla-config.js';
import { DEFAULT_AUTO_REPLY_STOPS_FIRST_RESPONSE, DEFAULT_PAUSE_STATUSES, DEFAULT_WARN_AT, selectPolicy, type SlaPolicy } from './policy.js';
import type { SlaConfig } from './sla-config.js';

/** Files in the rules directory that hold the SLA configuration; the first that exists is used. */
export const SLA_FILE_NAMES: readonly string[] = ['sla.yaml', 'sla.yml'];

/** Version of the built-in configuration (used when there is no sla.yaml). */
export const BUILTIN_SLA_VERSION = 'builtin';

const builtinPolicy: SlaPolicy = {
  name: 'default',
  description: 'Built in (no sla.yaml): clocks are measured, nothing is promised.',
  calendar: CALENDAR_24X7,
  isDefault: true,
  match: {},
  targets: { first_response: null, next_response: null, resolution: null },
  warnAt: DEFAULT_WARN_AT,
  pauseStatuses: DEFAULT_PAUSE_STATUSES,
  autoReplyStopsFirstResponse: DEFAULT_AUTO_REPLY_STOPS_FIRST_RESPONSE,
};

/** The configuration without an sla.yaml: see the header. */
export const BUILTIN_SLA_CONFIG: SlaConfig = {
  calendars: new Map([[CALENDAR_24X7, calendar24x7]]),
  policies: [builtinPolicy],
  defaultPolicy: builtinPolicy,
};

export type LiveSlaState = {
  /** the configuration in force; null only when the file has been invalid since start-up */
  config: SlaConfig | null;
  /** a short hash of the configuration in force (`builtin` without a file); rows computed with another are recomputed */
  version: string | null;
  /** the file in force, or null for the built-in configuration */
  file: string | null;
  loadedAt: Date | null;
  lastReload: { at: Date; ok: boolean; issues: SlaConfigIssue[] } | null;
};

export const INITIAL_SLA_STATE: LiveSlaState = { config: null, version: null, file: null, loadedAt: null, lastReload: null };

const versions = new WeakMap<SlaConfig, string>();

/** A short, stable hash of what a configuration promises (policies and calendars), cached per object. */
export const slaConfigVersion = (config: SlaConfig): string => {
  if (config === BUILTIN_SLA_CONFIG) return BUILTIN_SLA_VERSION;
  let version = versions.get(config);
  if (version === undefined) {
    const calendars = [...config.calendars.values()].map((calendar) => calendar.definition);
    version = createHash('sha256').update(JSON.stringify({ calendars, policies: config.policies })).digest('hex').slice(0, 12);
    versions.set(config, version);
  }
  return version;
};

/** The file `reloadSlaConfig` reads in `rulesDir`, or null when there is none. */
export const slaConfigFile = (rulesDir: string): string | null =>
  SLA_FILE_NAMES.map((name) => path.join(rulesDir, name)).find((file) => existsSync(file)) ?? null;

/**
 * Loads `<rulesDir>/sla.yaml` and returns the new state: the new configuration when the file is valid
 * (or absent: the built-in one), else the previous configuration with the problems recorded.
 */
export const reloadSlaConfig = async ({ rulesDir, previous, now }: { rulesDir: string; previous: LiveSlaState; now: Date }): Promise<LiveSlaState> => {
  const file = slaConfigFile(rulesDir);
  if (file === null) {
    return { config: BUILTIN_SLA_CONFIG, version: BUILTIN_SLA_VERSION, file: null, loadedAt: now, lastReload: { at: now, ok: true, issues: [] } };
  }
  try {
    const config = await loadSlaConfigFile(file);
    return { config, version: slaConfigVersion(config), file, loadedAt: now, lastReload: { at: now, ok: true, issues: [] } };
  } catch (err) {
    const issues: SlaConfigIssue[] = err instanceof SlaConfigError ? err.issues : [{ path: '', file, message: (err as Error).message }];
    return { ...previous, lastReload: { at: now, ok: false, issues } };
  }
};

/** The calendar of the configuration's default policy: the one "business hours" means in rules. */
export const defaultCalendarOf = (config: SlaConfig | null): BusinessCalendar =>
  (config === null ? undefined : config.calendars.get(config.defaultPolicy.calendar)) ?? calendar24x7;

const contexts = new WeakMap<BusinessCalendar, RuleContext>();

/** Rules see time in the default calendar's zone, and `time.business_hours` on that calendar. */
export const slaRuleContext = (config: SlaConfig | null): RuleContext => {
  const calendar = defaultCalendarOf(config);
  let context = contexts.get(calendar);
  if (context === undefined) {
    context = { timeZone: calendar.timeZone, isBusinessTime: (at) => isBusinessTime(calendar, at) };
    contexts.set(calendar, context);
  }
  return context;
};

const stages = new WeakMap<SlaConfig, DecideStages>();

/**
 * The `selectSlaPolicy` stage of `decide` for a configuration: `selectPolicy` over the decision's
 * priority, category and queue and the customer's tier; a rule's `sla` action (`decision.slaPolicy`)
 * wins. The trace goes to `DecisionTrace.sla`. No configuration: no stage.
 */
export const slaDecisionStages = (config: SlaConfig | null): DecideStages => {
  if (config === null) return {};
  let stage = stages.get(config);
  if (stage === undefined) {
    stage = {
      selectSlaPolicy: ({ input, decision }) => {
        const { policy, trace } = selectPolicy({
          policies: config.policies,
          facts: { priority: decision.priority, category: decision.category, queue: decision.queue, customerTier: input.customer.tier },
          ruleChosenPolicy: decision.slaPolicy,
        });
        return { value: policy.name, trace, summary: trace.summary };
      },
    };
    stages.set(config, stage);
  }
  return stage;
};
