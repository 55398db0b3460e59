/**
 * SLA policies: what a ticket is promised (first response, next response, resolution targets in business
 * time on a calendar), and which policy a ticket gets.
 *
 * ```yaml
 * - name: vip
 *   calendar: support-hours        # a calendar of the same file, or the built-in 24x7
 *   match: { customer_tier: [gold, platinum] }
 *   targets: { first_response: 1h, next_response: 2h, resolution: 2d }
 *   warn_at: 0.8                   # warning when 80% of a target has passed (default 0.75)
 * - name: standard
 *   default: true
 *   calendar: support-hours
 *   targets: { first_response: 4h, next_response: 8h, resolution: 5d }
 * ```
 *
 * Selection (`selectPolicy`), in this order:
 *   1. a rule's `sla` action names a policy → that policy (an unknown name is traced and ignored);
 *   2. the first policy in file order whose `match` holds: every criterion given must hold (AND), a
 *      criterion holds when the ticket's value is one of the listed values (OR); a fact that is unknown
 *      (null) never satisfies a criterion. A non-default policy without `match` matches every ticket, so
 *      put it last. The default policy takes part in step 2 only if it has a `match`;
 *   3. the default policy (exactly one per file has `default: true`).
 */
import { z } from 'zod';
import { PRIORITIES, type Priority } from '../decide/types.js';
import { durationSchema, durationToMinutes, parseDuration } from './duration.js';
import { strictObjectError } from './schema-messages.js';

export const DEFAULT_WARN_AT = 0.75;
/**
 * Statuses that mean "waiting on the customer" unless a policy says otherwise: clocks pause in them.
 */
export const DEFAULT_PAUSE_STATUSES: readonly string[] = ['pending'];
/**
 * Whether an auto-reply (acknowledgement) stops the first-response clock, unless a policy says otherwise.
 * It does not: an acknowledgement tells the customer the message arrived, not what the answer is, and
 * counting it would make first-response time measure the mail server instead of the support team.
 */
export const DEFAULT_AUTO_REPLY_STOPS_FIRST_RESPONSE = false;

export const SLA_CLOCK_KINDS = ['first_response', 'next_response', 'resolution'] as const;
export type SlaClockKind = (typeof SLA_CLOCK_KINDS)[number];

export const POLICY_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** A single value or a non-empty list, always read as a list. */
const oneOrMany = <T extends z.ZodType>(item: T) =>
  z.preprocess((value) => (Array.isArray(value) ? value : [value]), z.array(item).min(1, { error: 'expected at least one value' }));

const priorityValue = z
  .string({ error: `expected a priority: ${PRIORITIES.join(', ')}` })
  .refine((value) => (PRIORITIES as readonly string[]).includes(value), {
    error: (issue) => `unknown priority ${JSON.stringify(issue.input)}: expected one of ${PRIORITIES.join(', ')}`,
  });
const textValue = z.string({ error: 'expected a text value' }).min(1, { error: 'expected a non-empty value' });

const matchSchema = z.strictObject(
  {
    priority: oneOrMany(priorityValue).optional(),
    category: oneOrMany(textValue).optional(),
    queue: oneOrMany(textValue).optional(),
    customer_tier: oneOrMany(textValue).optional(),
  },
  { error: strictObjectError('match', ['priority', 'category', 'queue', 'customer_tier']) },
);

const warnAtSchema = z
  .number({ error: 'expected a share of the target between 0 and 1, e.g. 0.75' })
  .gt(0, { error: 'warn_at must be above 0 (a share of the target, e.g. 0.75)' })
  .lt(1, { error: 'warn_at must be below 1 (a share of the target, e.g. 0.75)' });

/** The clock settings a file's `defaults` may set for all its policies. */
const POLICY_DEFAULT_FIELDS = ['warn_at', 'pause_statuses', 'auto_reply_stops_first_response'];
export const policyDefaultsSchema = z.strictObject(
  {
    warn_at: warnAtSchema.optional(),
    pause_statuses: z.array(textValue, { error: 'expected a list of ticket statuses' }).optional(),
    auto_reply_stops_first_response: z.boolean({ error: 'expected true or false' }).optional(),
  },
  { error: strictObjectError('defaults', POLICY_DEFAULT_FIELDS) },
);
export type PolicyDefaults = z.input<typeof policyDefaultsSchema>;

/** zod schema of one policy (the YAML shape). Calendar names are checked against the file. */
export const policySchema = z.strictObject(
  {
    name: z.string({ error: 'expected a policy name' }).regex(POLICY_NAME_PATTERN, { error: 'a policy name uses letters, digits, "-", "_" and "."' }),
    description: z.string().optional(),
    calendar: z.string({ error: 'expected the name of a calendar' }),
    default: z.boolean({ error: 'expected true or false' }).optional(),
    match: matchSchema.optional(),
    targets: z
      .strictObject(
        {
          first_response: durationSchema.optional(),
          next_response: durationSchema.optional(),
          resolution: durationSchema.optional(),
        },
        { error: strictObjectError('targets', SLA_CLOCK_KINDS) },
      )
      .refine((targets) => Object.values(targets).some((value) => value !== undefined), { error: 'a policy needs at least one target' }),
    ...policyDefaultsSchema.shape,
  },
  { error: strictObjectError('a policy', ['name', 'description', 'calendar', 'default', 'match', 'targets', ...POLICY_DEFAULT_FIELDS]) },
);
export type PolicyDefinition = z.input<typeof policySchema>;

/** Selection criteria of a compiled policy; an absent field is no criterion. */
export type SlaPolicyMatch = {
  priority?: Priority[];
  category?: string[];
  queue?: string[];
  customerTier?: string[];
};

/** A compiled policy: targets resolved to business minutes on its calendar. */
export type SlaPolicy = {
  name: string;
  description: string | null;
  /** calendar name; the compiled calendar is `SlaConfig.calendars.get(calendar)` */
  calendar: string;
  isDefault: boolean;
  match: SlaPolicyMatch;
  /** business minutes; null = no promise for that clock (it still runs and is measured) */
  targets: Record<SlaClockKind, number | null>;
  /** share of a target after which a warning fires, 0 < warnAt < 1 */
  warnAt: number;
  pauseStatuses: readonly string[];
  autoReplyStopsFirstResponse: boolean;
};

/**
 * Compiles a validated policy definition. `dayLengthMinutes` is the calendar's business day (what `1d`
 * means). Definitions are validated by `policySchema` first; this does not validate again.
 */
export const compilePolicy = (definition: z.output<typeof policySchema>, dayLengthMinutes: number, defaults: PolicyDefaults = {}): SlaPolicy => {
  const minutes = (text: string | undefined): number | null => {
    const duration = text === undefined ? null : parseDuration(text);
    return duration === null ? null : durationToMinutes(duration, dayLengthMinutes);
  };
  const match: SlaPolicyMatch = {};
  if (definition.match?.priority) match.priority = definition.match.priority as Priority[];
  if (definition.match?.category) match.category = definition.match.category;
  if (definition.match?.queue) match.queue = definition.match.queue;
  if (definition.match?.customer_tier) match.customerTier = definition.match.customer_tier;
  return {
    name: definition.name,
    description: definition.description ?? null,
    calendar: definition.calendar,
    isDefault: definition.default === true,
    match,
    targets: {
      first_response: minutes(definition.targets.first_response),
      next_response: minutes(definition.targets.next_response),
      resolution: minutes(definition.targets.resolution),
    },
    warnAt: definition.warn_at ?? defaults.warn_at ?? DEFAULT_WARN_AT,
    pauseStatuses: definition.pause_statuses ?? defaults.pause_statuses ?? DEFAULT_PAUSE_STATUSES,
    autoReplyStopsFirstResponse: definition.auto_reply_stops_first_response ?? defaults.auto_reply_stops_first_response ?? DEFAULT_AUTO_REPLY_STOPS_FIRST_RESPONSE,
  };
};

/** What policy selection looks at. Unknown facts are null and never satisfy a criterion. */
export type SlaPolicyFacts = {
  priority: Priority | null;
  category: string | null;
  queue: string | null;
  customerTier: string | null;
};

export type SlaCriterionResult = {
  field: 'priority' | 'category' | 'queue' | 'customer_tier';
  expected: string[];
  actual: string | null;
  ok: boolean;
};

export type SlaPolicyCandidate = {
  policy: string;
  /** false for a default policy without `match`: it is only the fallback */
  evaluated: boolean;
  matched: boolean;
  criteria: SlaCriterionResult[];
};

/** Why a policy was chosen; stored in the decision trace (`DecisionTrace.sla`). */
export type SlaPolicyTrace = {
  chosen: string;
  reason: 'rule' | 'match' | 'default';
  ruleChosenPolicy: string | null;
  /** true when a rule named a policy that does not exist (and selection went on without it) */
  ruleChosenPolicyUnknown: boolean;
  candidates: SlaPolicyCandidate[];
  /** one line for a supervisor */
  summary: string;
};

export type SelectPolicyOptions = {
  policies: readonly SlaPolicy[];
  facts: SlaPolicyFacts;
  /** the policy a rule's `sla` action named, if any */
  ruleChosenPolicy?: string | null;
};

const CRITERIA: ReadonlyArray<{ field: SlaCriterionResult['field']; values: (match: SlaPolicyMatch) => string[] | undefined; fact: (facts: SlaPolicyFacts) => string | null }> = [
  { field: 'priority', values: (match) => match.priority, fact: (facts) => facts.priority },
  { field: 'category', values: (match) => match.category, fact: (facts) => facts.category },
  { field: 'queue', values: (match) => match.queue, fact: (facts) => facts.queue },
  { field: 'customer_tier', values: (match) => match.customerTier, fact: (facts) => facts.customerTier },
];

const evaluateCandidate = (policy: SlaPolicy, facts: SlaPolicyFacts): SlaPolicyCandidate => {
  const criteria: SlaCriterionResult[] = [];
  for (const criterion of CRITERIA) {
    const expected = criterion.values(policy.match);
    if (expected === undefined) continue;
    const actual = criterion.fact(facts);
    criteria.push({ field: criterion.field, expected, actual, ok: actual !== null && expected.includes(actual) });
  }
  const evaluated = !(policy.isDefault && criteria.length === 0);
  return { policy: policy.name, evaluated, matched: evaluated && criteria.every((criterion) => criterion.ok), criteria };
};

const describeCriteria = (criteria: SlaCriterionResult[]): string =>
  criteria.length === 0 ? 'no criteria' : criteria.map((criterion) => `${criterion.field}=${criterion.actual}`).join(', ');

/**
 * Chooses the SLA policy of a ticket (pure). Order: the rule's choice, the first matching policy, the
 * default. Every policy's criteria are evaluated and returned in the trace, so a supervisor can see which
 * other policies would also have matched.
 * @throws Error when no policy is the default and none matched (a loaded SLA file always has a default)
 */
export const selectPolicy = ({ policies, facts, ruleChosenPolicy = null }: SelectPolicyOptions): { policy: SlaPolicy; trace: SlaPolicyTrace } => {
  const candidates = policies.map((policy) => evaluateCandidate(policy, facts));
  const base = { ruleChosenPolicy, ruleChosenPolicyUnknown: false, candidates };
  if (ruleChosenPolicy !== null) {
    const chosen = policies.find((policy) => policy.name === ruleChosenPolicy);
    if (chosen !== undefined) {
      return { policy: chosen, trace: { ...base, chosen: chosen.name, reason: 'rule', summary: `SLA policy "${chosen.name}": chosen by a rule` } };
    }
    base.ruleChosenPolicyUnknown = true;
  }
  const unknownNote = base.ruleChosenPolicyUnknown ? ` (a rule chose "${ruleChosenPolicy}", which does not exist)` : '';
  const matchedIndex = candidates.findIndex((candidate) => candidate.matched);
  if (matchedIndex >= 0) {
    const chosen = policies[matchedIndex];
    const summary = `SLA policy "${chosen.name}": matched ${describeCriteria(candidates[matchedIndex].criteria)}${unknownNote}`;
    return { policy: chosen, trace: { ...base, chosen: chosen.name, reason: 'match', summary } };
  }
  const fallback = policies.find((policy) => policy.isDefault);
  if (fallback === undefined) throw new Error('no SLA policy matched and none is marked default: true');
  return { policy: fallback, trace: { ...base, chosen: fallback.name, reason: 'default', summary: `SLA policy "${fallback.name}": the default, no other policy matched${unknownNote}` } };
};
