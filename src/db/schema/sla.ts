/**
 * SLA tables: the clocks of each ticket as last computed (policy, due and warning instants, state, the
 * next timer), and every warning or breach recorded, once per ticket and key.
 *
 * `ticket_sla` is derived data: src/sla/sync-ticket-sla.ts recomputes a row from the ticket's timeline
 * (ticket_events) whenever something happens to the ticket or a timer fires. `sla_crossings` is the
 * record: its unique (ticket_id, key) is what makes a warning or breach recorded exactly once, however
 * many timers fire and however many workers race for it.
 */
import { index, integer, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { tickets } from './intake.js';

/**
 * A ticket's SLA state as a supervisor reads it (worst first among open tickets):
 * - `resolved`  the ticket is resolved or closed; nothing is owed
 * - `paused`    waiting on the customer (a pause status); clocks are stopped until they answer
 * - `breached`  a running clock has passed its due time
 * - `warning`   a running clock has passed its warning point
 * - `on_track`  clocks run, none has reached its warning point
 * - `none`      no running clock has a target (nothing promised right now)
 */
export const SLA_STATES = ['resolved', 'paused', 'breached', 'warning', 'on_track', 'none'] as const;
export type SlaState = (typeof SLA_STATES)[number];

/** One clock's columns: state (not_started, running, paused, stopped), instants and whether it breached. */
export const ticketSla = sqliteTable('ticket_sla', {
  ticketId: integer('ticket_id').primaryKey().references(() => tickets.id),
  policy: text('policy').notNull(),
  /** why this policy: `rule` (a rule's `sla` action), `match`, `default`, or `builtin` (no sla.yaml) */
  policyReason: text('policy_reason').notNull(),
  calendar: text('calendar').notNull(),
  /** the SLA configuration the row was computed with; rows of an older one are recomputed */
  configVersion: text('config_version').notNull(),
  state: text('state', { enum: SLA_STATES }).notNull(),
  /** earliest due instant of a running clock (passed or not): the order agents should work in */
  dueAt: integer('due_at', { mode: 'timestamp_ms' }),

  firstResponseState: text('first_response_state').notNull(),
  firstResponseStartedAt: integer('first_response_started_at', { mode: 'timestamp_ms' }),
  firstResponseStoppedAt: integer('first_response_stopped_at', { mode: 'timestamp_ms' }),
  /** reply, auto_reply or resolved */
  firstResponseStopReason: text('first_response_stop_reason'),
  firstResponseTargetMinutes: real('first_response_target_minutes'),
  /** business minutes used (up to the stop, or up to `computed_at` while running) */
  firstResponseBusinessMinutes: real('first_response_business_minutes').notNull().default(0),
  firstResponseWarnAt: integer('first_response_warn_at', { mode: 'timestamp_ms' }),
  firstResponseDueAt: integer('first_response_due_at', { mode: 'timestamp_ms' }),
  firstResponseBreached: integer('first_response_breached', { mode: 'boolean' }).notNull().default(false),

  /** the current or latest next-response cycle (0 = none yet) */
  nextResponseCycle: integer('next_response_cycle').notNull().default(0),
  nextResponseState: text('next_response_state').notNull(),
  nextResponseWarnAt: integer('next_response_warn_at', { mode: 'timestamp_ms' }),
  nextResponseDueAt: integer('next_response_due_at', { mode: 'timestamp_ms' }),
  nextResponseBreached: integer('next_response_breached', { mode: 'boolean' }).notNull().default(false),

  resolutionState: text('resolution_state').notNull(),
  resolutionStartedAt: integer('resolution_started_at', { mode: 'timestamp_ms' }),
  resolutionStoppedAt: integer('resolution_stopped_at', { mode: 'timestamp_ms' }),
  resolutionTargetMinutes: real('resolution_target_minutes'),
  resolutionBusinessMinutes: real('resolution_business_minutes').notNull().default(0),
  resolutionWarnAt: integer('resolution_warn_at', { mode: 'timestamp_ms' }),
  resolutionDueAt: integer('resolution_due_at', { mode: 'timestamp_ms' }),
  resolutionBreached: integer('resolution_breached', { mode: 'boolean' }).notNull().default(false),

  /** the next warning or breach instant of a running clock: what the timer is set for (null: none) */
  timerAt: integer('timer_at', { mode: 'timestamp_ms' }),
  /** the crossing key the timer is for, e.g. `first_response:0:warning` */
  timerKey: text('timer_key'),
  /** bumped each time a new timer job is queued; a job carrying an older generation is stale */
  timerGeneration: integer('timer_generation').notNull().default(0),
  /** every clock (next-response cycles included) and the policy choice, as of `computed_at` */
  detail: text('detail', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  computedAt: integer('computed_at', { mode: 'timestamp_ms' }).notNull(),
}, (t) => [
  index('ticket_sla_state_idx').on(t.state),
  index('ticket_sla_timer_idx').on(t.timerAt),
  index('ticket_sla_due_idx').on(t.dueAt),
  index('ticket_sla_config_idx').on(t.configVersion),
]);

export const SLA_CROSSING_KINDS = ['warning', 'breach'] as const;

/** A warning or breach, recorded once per ticket and key (`first_response:0:breach`, `next_response:2:warning`...). */
export const slaCrossings = sqliteTable('sla_crossings', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  ticketId: integer('ticket_id').notNull().references(() => tickets.id),
  key: text('key').notNull(),
  clock: text('clock').notNull(),
  cycle: integer('cycle').notNull(),
  kind: text('kind', { enum: SLA_CROSSING_KINDS }).notNull(),
  policy: text('policy').notNull(),
  /** the instant the threshold was reached (the due or warning instant) */
  at: integer('at', { mode: 'timestamp_ms' }).notNull(),
  /** when it was recorded (a timer fires at `at`; later means the timer was late or missing) */
  recordedAt: integer('recorded_at', { mode: 'timestamp_ms' }).notNull(),
  /** what the `on: sla.*` rules did: matched rules, changes applied, webhooks; or why they did not run */
  outcome: text('outcome', { mode: 'json' }).$type<Record<string, unknown>>(),
}, (t) => [
  uniqueIndex('sla_crossings_ticket_key_uq').on(t.ticketId, t.key),
  index('sla_crossings_kind_at_idx').on(t.kind, t.at),
]);
