/**
 * Shadow mode: a candidate rule set decides every newly filed message beside the live one, and only
 * where it would have decided differently is a row written (`shadow_diffs`). A supervisor then promotes
 * it (its files become the rules directory's, and the live rules reload) or drops it.
 *
 * - One shadow at a time; it is stored whole (every file of the candidate) in `rule_shadows`, so it
 *   survives restarts and every process that files mail runs the same one: each filing looks up the
 *   active shadow's id (one indexed row) and compiles a new one once.
 * - The shadow decides the input the live decision was made from (`ProcessResult.input`) with the same
 *   `decide`, the live rule context and the live SLA policy stage; no assignment stage (the assignee
 *   depends on load and is not compared, see backtest-rules.ts).
 * - It runs as an intake effect, after the filing committed: it can never delay or fail a filing.
 * - Promotion refuses when the rules directory changed since the shadow started (someone edited or
 *   pulled rules meanwhile) unless forced: it would silently undo those edits.
 */
import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { messages, ruleShadows, shadowDiffs, type ShadowStatus } from '../db/schema/index.js';
import type { LiveDecider } from '../decide/live-decider.js';
import type { IntakeEffect } from '../intake/process-raw-message.js';
import type { Logger } from '../logger.js';
import { slaDecisionStages } from '../sla/live-sla-config.js';
import { CHANGE_KINDS, compareDecisions, type ChangeKind } from './backtest-rules.js';
import { compileRuleFiles, readRuleFilesIfAny, resolveCandidate, ruleFilesVersion, type RuleFileText } from './candidate-rules.js';
import type { RuleError, RuleSet } from './rule-types.js';
import { writeRuleFiles, type WriteRuleFilesResult } from './write-rule-files.js';

/** Diffs `GET /api/rules/shadow` lists by default. */
export const SHADOW_RECENT_DIFFS = 20;

export type ShadowDiffView = {
  id: number;
  messageId: number;
  ticketId: number;
  subject: string;
  fields: string[];
  old: Record<string, unknown>;
  new: Record<string, unknown>;
  matched: string[];
  at: string;
};

export type ShadowView = {
  id: number;
  status: ShadowStatus;
  version: string;
  baseVersion: string;
  files: Array<{ name: string; bytes: number }>;
  startedAt: string;
  endedAt: string | null;
  compared: number;
  differed: number;
  counts: Record<ChangeKind, number>;
  recent: ShadowDiffView[];
  /** set when the stored candidate no longer compiles here (a queue it names was removed...): it records nothing until dropped */
  errors: RuleError[] | null;
};

export type ShadowRulesOptions = {
  db: Db;
  decider: Pick<LiveDecider, 'known' | 'context' | 'sla' | 'reload'>;
  rulesDir: string;
  now: () => Date;
  log: Logger;
};

export type StartShadowResult = { ok: true; shadow: ShadowView } | { ok: false; reason: 'invalid'; errors: RuleError[] } | { ok: false; reason: 'conflict'; message: string };

export type PromoteShadowResult =
  | { ok: true; shadow: ShadowView; version: string; changed: boolean; files: WriteRuleFilesResult }
  | { ok: false; reason: 'none' | 'conflict'; message: string }
  | { ok: false; reason: 'invalid'; errors: RuleError[] };

export type ShadowRules = {
  /** the intake effect: decide the filed message with the shadow rules and record differences */
  effect: IntakeEffect;
  start: (opts: { files: readonly RuleFileText[]; replace?: boolean }) => Promise<StartShadowResult>;
  /** the active shadow, else the last one that ended; null when there never was one */
  status: (opts?: { recent?: number }) => ShadowView | null;
  promote: (opts?: { force?: boolean }) => Promise<PromoteShadowResult>;
  /** ends the active shadow; its recorded diffs stay readable until the next shadow starts */
  drop: () => ShadowView | null;
};

type Compiled = { id: number; ruleSet: RuleSet | null; errors: RuleError[] | null };

const emptyCounts = (): Record<ChangeKind, number> => Object.fromEntries(CHANGE_KINDS.map((k) => [k, 0])) as Record<ChangeKind, number>;

const isUniqueViolation = (error: unknown): boolean => (error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';

export const createShadowRules = ({ db, decider, rulesDir, now, log }: ShadowRulesOptions): ShadowRules => {
  const activeQ = db.select({ id: ruleShadows.id, files: ruleShadows.files }).from(ruleShadows).where(eq(ruleShadows.status, 'active')).prepare();
  let compiled: Compiled | null = null;

  /** The active shadow compiled (once per shadow and process), or null when none is active. */
  const active = (): Compiled | null => {
    const row = activeQ.get();
    if (!row) {
      compiled = null;
      return null;
    }
    if (compiled?.id !== row.id) {
      const result = compileRuleFiles({ files: row.files, known: decider.known() });
      compiled = result.ok ? { id: row.id, ruleSet: result.ruleSet, errors: null } : { id: row.id, ruleSet: null, errors: result.errors };
      if (!result.ok) log.error({ shadow: row.id, errors: result.errors.length }, 'rules: the shadow rule set does not compile here; it records nothing until dropped');
    }
    return compiled;
  };

  const effect: IntakeEffect = async (result) => {
    const shadow = active();
    if (!shadow?.ruleSet) return;
    const { changes, trace } = compareDecisions({
      record: { messageId: result.messageRowId, ticketId: result.ticketId, input: result.input, current: result.decision },
      ruleSet: shadow.ruleSet,
      context: decider.context(),
      stages: slaDecisionStages(decider.sla().config),
      traceDetail: 'none',
    });
    db.transaction((tx) => {
      tx.update(ruleShadows).set({
        compared: sql`${ruleShadows.compared} + 1`,
        differed: sql`${ruleShadows.differed} + ${changes.length > 0 ? 1 : 0}`,
      }).where(and(eq(ruleShadows.id, shadow.id), eq(ruleShadows.status, 'active'))).run();
      if (changes.length === 0) return;
      tx.insert(shadowDiffs).values({
        shadowId: shadow.id,
        messageId: result.messageRowId,
        ticketId: result.ticketId,
        fields: changes.map((c) => c.kind),
        old: Object.fromEntries(changes.map((c) => [c.kind, c.from])),
        new: Object.fromEntries(changes.map((c) => [c.kind, c.to])),
        matched: trace.rules.matched,
        at: now(),
      }).run();
    });
  };

  const view = (id: number, recent: number): ShadowView | null => {
    const row = db.select().from(ruleShadows).where(eq(ruleShadows.id, id)).get();
    if (!row) return null;
    const counts = emptyCounts();
    const grouped = db.all<{ kind: string; n: number }>(sql`select j.value as kind, count(*) as n from ${shadowDiffs}, json_each(${shadowDiffs.fields}) j where ${shadowDiffs.shadowId} = ${id} group by j.value`);
    for (const { kind, n } of grouped) if (kind in counts) counts[kind as ChangeKind] = n;
    const diffs = db.select({ d: shadowDiffs, subject: messages.subject }).from(shadowDiffs).innerJoin(messages, eq(messages.id, shadowDiffs.messageId))
      .where(eq(shadowDiffs.shadowId, id)).orderBy(desc(shadowDiffs.id)).limit(recent).all();
    return {
      id: row.id,
      status: row.status,
      version: row.version,
      baseVersion: row.baseVersion,
      files: row.files.map((f) => ({ name: f.name, bytes: Buffer.byteLength(f.content) })),
      startedAt: row.startedAt.toISOString(),
      endedAt: row.endedAt?.toISOString() ?? null,
      compared: row.compared,
      differed: row.differed,
      counts,
      recent: diffs.map(({ d, subject }) => ({
        id: d.id, messageId: d.messageId, ticketId: d.ticketId, subject, fields: d.fields, old: d.old, new: d.new, matched: d.matched, at: d.at.toISOString(),
      })),
      errors: row.status === 'active' && compiled?.id === row.id ? compiled.errors : null,
    };
  };

  const end = (id: number, status: Exclude<ShadowStatus, 'active'>): void => {
    db.update(ruleShadows).set({ status, endedAt: now() }).where(and(eq(ruleShadows.id, id), eq(ruleShadows.status, 'active'))).run();
    compiled = null;
  };

  return {
    effect,

    async start({ files, replace = false }) {
      const existing = activeQ.get();
      if (existing) return { ok: false, reason: 'conflict', message: `shadow ${existing.id} is running; promote or drop it first (DELETE /api/rules/shadow)` };
      const candidate = await resolveCandidate({ rulesDir, files, replace, known: decider.known() });
      if (!candidate.ok) return { ok: false, reason: 'invalid', errors: candidate.errors };
      let id: number;
      try {
        id = db.insert(ruleShadows).values({
          version: candidate.ruleSet.version, baseVersion: candidate.baseVersion, files: candidate.files, startedAt: now(),
        }).returning({ id: ruleShadows.id }).get().id;
      } catch (error) {
        if (isUniqueViolation(error)) return { ok: false, reason: 'conflict', message: 'another shadow was started at the same moment' };
        throw error;
      }
      log.info({ shadow: id, version: candidate.ruleSet.version, rules: candidate.ruleSet.rules.length }, 'rules: shadow rule set started');
      active();
      return { ok: true, shadow: view(id, SHADOW_RECENT_DIFFS)! };
    },

    status({ recent = SHADOW_RECENT_DIFFS } = {}) {
      const current = active();
      const id = current?.id ?? db.select({ id: ruleShadows.id }).from(ruleShadows).orderBy(desc(ruleShadows.id)).limit(1).get()?.id;
      return id === undefined ? null : view(id, recent);
    },

    async promote({ force = false } = {}) {
      const row = activeQ.get();
      if (!row) return { ok: false, reason: 'none', message: 'no shadow rule set is running' };
      const shadow = db.select().from(ruleShadows).where(eq(ruleShadows.id, row.id)).get()!;
      const base = await readRuleFilesIfAny(rulesDir);
      const dirVersion = ruleFilesVersion(base.files);
      if (dirVersion !== shadow.baseVersion && !force) {
        return {
          ok: false, reason: 'conflict',
          message: `the rules directory changed since shadow ${shadow.id} started (version ${shadow.baseVersion} then, ${dirVersion} now); promoting would undo those changes. Drop it and start a new shadow, or promote with ?force=true`,
        };
      }
      const compiledNow = compileRuleFiles({ files: shadow.files, known: decider.known() });
      if (!compiledNow.ok) return { ok: false, reason: 'invalid', errors: compiledNow.errors };
      const written = await writeRuleFiles({ dir: rulesDir, files: shadow.files });
      const reloaded = await decider.reload();
      if (!reloaded.ok) return { ok: false, reason: 'invalid', errors: reloaded.errors };
      end(shadow.id, 'promoted');
      log.info({ shadow: shadow.id, version: reloaded.version, ...written }, 'rules: shadow rule set promoted');
      return { ok: true, shadow: view(shadow.id, SHADOW_RECENT_DIFFS)!, version: reloaded.version, changed: reloaded.changed, files: written };
    },

    drop() {
      const row = activeQ.get();
      if (!row) return null;
      end(row.id, 'dropped');
      log.info({ shadow: row.id }, 'rules: shadow rule set dropped');
      return view(row.id, SHADOW_RECENT_DIFFS);
    },
  };
};
