/**
 * Rules API (all behind the API token): the live rule set and its last reload, reload now, validate and
 * lint, backtest a candidate on stored mail, shadow mode, and the decision trace of a ticket's messages.
 *
 * Candidates (`files`) are the live rules directory with the given files added or replaced by name, or,
 * with `replace: true`, the given files alone (src/rules/candidate-rules.ts). Invalid rule files answer
 * 422 `RULES_INVALID` with every error located (file, line, column, field, message, suggestion), except
 * `POST /api/rules/validate`, whose answer is the validation itself (200, `ok: false`).
 */
import { Type, type Static } from '@sinclair/typebox';
import { and, asc, eq, isNotNull } from 'drizzle-orm';
import path from 'node:path';
import { messages, tickets } from '../../db/schema/index.js';
import type { StoredDecision } from '../../decide/stored-decision.js';
import { AppError } from '../../errors.js';
import { createAssignmentStage } from '../../routing/assignment-stage.js';
import { loadRoutingSnapshot } from '../../routing/routing-store.js';
import { CHANGE_KINDS } from '../../rules/backtest-rules.js';
import { backtestInParallel } from '../../rules/backtest-in-parallel.js';
import { MAX_BACKTEST_SAMPLES, parseSince } from '../../rules/backtest-stored-mail.js';
import { databaseFile } from '../../db/connection.js';
import { MAX_CANDIDATE_FILES, resolveCandidate, RULE_FILE_NAME_PATTERN, ruleFileNameIssue } from '../../rules/candidate-rules.js';
import { explainDecision } from '../../rules/explain-decision.js';
import { lintRules } from '../../rules/lint-rules.js';
import { MAX_RULE_FILE_BYTES, type RuleError } from '../../rules/rule-types.js';
import { rulesRuntime } from '../../rules/rules-runtime.js';
import type { ShadowView } from '../../rules/shadow-rules.js';
import type { Services } from '../../services.js';
import { slaDecisionStages } from '../../sla/live-sla-config.js';
import { errorBody } from '../error-handler.js';
import { bearerSecurity, IdParams, type App } from '../types.js';

// ---------------------------------------------------------------------------------------------
// Schemas

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

/** One located rule error, as every rules route reports it. */
const ApiRuleError = Type.Object({
  file: Type.String(), line: Type.Integer(), column: Type.Integer(), code: Type.String(),
  field: Type.String({ description: 'where in the file, e.g. rules[2].when.subject.contains' }),
  message: Type.String(), suggestion: Nullable(Type.String({ description: 'the "did you mean" candidate' })),
});
type ApiRuleError = Static<typeof ApiRuleError>;

const toApiError = (e: RuleError): ApiRuleError => ({
  file: e.file, line: e.line, column: e.column, code: e.code, field: e.path, message: e.message, suggestion: e.suggestion ?? null,
});

const RuleFile = Type.Object({
  name: Type.String({ pattern: RULE_FILE_NAME_PATTERN, description: 'a file name in the rules directory, e.g. 10-routing.yaml' }),
  content: Type.String({ maxLength: MAX_RULE_FILE_BYTES }),
}, { additionalProperties: false });

const CandidateFields = {
  files: Type.Array(RuleFile, { maxItems: MAX_CANDIDATE_FILES, description: 'rule files added to (or replacing same-named files of) the live rules directory' }),
  replace: Type.Optional(Type.Boolean({ default: false, description: 'true: the given files are the whole rule set' })),
};

const LintFinding = Type.Object({
  file: Type.String(), line: Type.Integer(), column: Type.Integer(), code: Type.String(), severity: Type.String(), rule: Type.String(), message: Type.String(),
  related: Type.Optional(Type.Object({ rule: Type.String(), file: Type.String(), line: Type.Integer() })),
});

const Decision = Type.Object({
  category: Nullable(Type.String()), priority: Type.String(), tags: Type.Array(Type.String()), queue: Type.String(),
  skill: Nullable(Type.String()), assignee: Nullable(Type.String()), slaPolicy: Nullable(Type.String()),
  autoReplyTemplate: Nullable(Type.String()), acknowledge: Nullable(Type.Boolean()), webhooks: Type.Array(Type.Object({ url: Type.String() })),
});

const ConditionRow = Type.Object({
  depth: Type.Integer({ description: '0 for the rule\'s top condition; children follow their parent' }),
  kind: Type.Union([Type.Literal('all'), Type.Literal('any'), Type.Literal('not'), Type.Literal('test')]),
  result: Type.Union([Type.Boolean(), Type.Literal('not_evaluated')]),
  field: Type.Optional(Type.String()), op: Type.Optional(Type.String()),
  expected: Type.Optional(Type.Unknown()),
  actual: Type.Optional(Type.Unknown({ description: 'the value the message had (long text cut around the match)' })),
  caseSensitive: Type.Optional(Type.Boolean()), line: Type.Optional(Type.Integer()),
});

const RuleExplanation = Type.Object({
  rule: Type.String(), file: Type.String(), line: Type.Integer(),
  outcome: Type.Union([Type.Literal('matched'), Type.Literal('not_matched'), Type.Literal('not_evaluated'), Type.Literal('disabled')]),
  stop: Type.Boolean(), conditions: Type.Array(ConditionRow),
  actions: Type.Array(Type.Object({ action: Type.String(), value: Type.Unknown(), outcome: Type.String(), by: Type.Optional(Type.String()) })),
});

const MessageTrace = Type.Object({
  messageId: Nullable(Type.Integer()), ticketId: Nullable(Type.Integer()), subject: Type.String(), from: Nullable(Type.String()),
  receivedAt: Nullable(Type.String({ format: 'date-time' })),
  detection: Nullable(Type.Object({ autoReply: Type.Boolean(), bounce: Type.Boolean(), loop: Type.Boolean(), bulk: Type.Boolean(), signals: Type.Array(Type.String()) })),
  thread: Nullable(Type.Object({ ticketId: Nullable(Type.Integer()), matchedBy: Nullable(Type.String()), followUpOf: Nullable(Type.Integer()), reasons: Type.Array(Type.String()) })),
  classification: Nullable(Type.Object({
    category: Nullable(Type.String()), confidence: Type.Number(), threshold: Nullable(Type.Number()), modelVersion: Nullable(Type.String()),
    top: Type.Array(Type.Object({ category: Type.String(), probability: Type.Number() })),
  })),
  rules: Nullable(Type.Object({
    ruleSetVersion: Type.String(), total: Type.Integer(), matched: Type.Array(Type.String()), stoppedBy: Nullable(Type.String()), detail: Type.String(),
    rules: Type.Array(RuleExplanation),
  })),
  decision: Decision,
  assignment: Nullable(Type.Object({
    chosen: Nullable(Type.String()), reason: Type.String(), queue: Nullable(Type.String()), strategy: Nullable(Type.String()), requiredSkill: Nullable(Type.String()),
    considered: Type.Array(Type.Object({ agent: Type.String(), openAssigned: Type.Number(), capacity: Nullable(Type.Number()), load: Type.Number() })),
    skipped: Type.Array(Type.Object({ agent: Type.String(), reason: Type.String() })),
  })),
  sla: Nullable(Type.Object({
    policy: Nullable(Type.String()), reason: Nullable(Type.String()), summary: Nullable(Type.String()),
    candidates: Type.Array(Type.Object({
      policy: Type.String(), evaluated: Type.Boolean(), matched: Type.Boolean(),
      criteria: Type.Array(Type.Object({ field: Type.String(), expected: Type.Array(Type.String()), actual: Nullable(Type.String()), ok: Type.Boolean() })),
    })),
  })),
  summary: Type.Array(Type.String({ description: 'one plain-text line per step, in order' })),
});

const ChangeCounts = Type.Object(Object.fromEntries(CHANGE_KINDS.map((k) => [k, Type.Integer()])));

const Sample = Type.Object({
  messageId: Type.Union([Type.Integer(), Type.String()]), ticketId: Nullable(Type.Union([Type.Integer(), Type.String()])), subject: Type.String(),
  from: Type.Unknown(), to: Type.Unknown(), matched: Type.Array(Type.String()),
});

const BacktestReport = Type.Object({
  ruleSetVersion: Type.String(), total: Type.Integer(), changed: Type.Integer(), skipped: Type.Integer(),
  counts: ChangeCounts,
  queueTable: Type.Array(Type.Object({ from: Type.String(), to: Type.String(), count: Type.Integer() })),
  samples: Type.Object(Object.fromEntries(CHANGE_KINDS.map((k) => [k, Type.Array(Sample)]))),
  since: Nullable(Type.String()), limit: Nullable(Type.Integer()),
  window: Type.Object({ oldest: Nullable(Type.String()), newest: Nullable(Type.String()) }),
  seconds: Type.Number(), messagesPerSecond: Type.Number(),
  threads: Type.Integer({ description: 'threads that replayed messages (large backtests use worker threads)' }),
  notes: Type.Array(Type.String()),
});

const Shadow = Type.Object({
  id: Type.Integer(), status: Type.String(), version: Type.String(), baseVersion: Type.String(),
  files: Type.Array(Type.Object({ name: Type.String(), bytes: Type.Integer() })),
  startedAt: Type.String(), endedAt: Nullable(Type.String()), compared: Type.Integer(), differed: Type.Integer(),
  counts: ChangeCounts,
  recent: Type.Array(Type.Object({
    id: Type.Integer(), messageId: Type.Integer(), ticketId: Type.Integer(), subject: Type.String(), fields: Type.Array(Type.String()),
    old: Type.Record(Type.String(), Type.Unknown()), new: Type.Record(Type.String(), Type.Unknown()), matched: Type.Array(Type.String()), at: Type.String(),
  })),
  errors: Nullable(Type.Array(ApiRuleError)),
});

const shadowOut = (s: ShadowView) => ({ ...s, errors: s.errors?.map(toApiError) ?? null });

const Errors = { 401: { $ref: 'ErrorResponse#' }, 422: { $ref: 'ErrorResponse#' } };

/** 422 with every error; `message` says what was (not) done. */
const rulesInvalid = (errors: readonly RuleError[], what: string) =>
  errorBody('RULES_INVALID', `${errors.length} error${errors.length === 1 ? '' : 's'} in the rule files: ${what}`, { errors: errors.map(toApiError) });

const checkNames = (files: ReadonlyArray<{ name: string }>): void => {
  const seen = new Set<string>();
  for (const f of files) {
    const issue = ruleFileNameIssue(f.name);
    if (issue) throw new AppError('INVALID_REQUEST', issue);
    if (seen.has(f.name)) throw new AppError('INVALID_REQUEST', `"${f.name}" is given twice`);
    seen.add(f.name);
  }
};

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

// ---------------------------------------------------------------------------------------------
// Routes

export const rulesRoutes = async (app: App, services: Services): Promise<void> => {
  const { decider, db } = services;

  app.get('/api/rules', {
    schema: {
      tags: ['rules'], summary: 'The live rule set: version, files, rule count, when it loaded, the last reload and its errors', security: bearerSecurity,
      response: {
        200: Type.Object({
          version: Type.String(), rulesDir: Type.String(), rules: Type.Integer(),
          files: Type.Array(Type.Object({ name: Type.String(), path: Type.String(), sha256: Type.String(), rules: Type.Integer() })),
          loadedAt: Nullable(Type.String()),
          lastReload: Nullable(Type.Object({ at: Type.String(), ok: Type.Boolean(), errors: Type.Array(ApiRuleError) })),
        }),
        401: { $ref: 'ErrorResponse#' },
      },
    },
  }, async () => {
    const status = decider.status();
    const ruleSet = decider.ruleSet();
    return {
      version: status.version,
      rulesDir: services.config.rulesDir,
      rules: status.rules,
      files: ruleSet.files.map((f) => ({ name: path.basename(f.file), path: f.file, sha256: f.sha256, rules: f.rules })),
      loadedAt: status.loadedAt?.toISOString() ?? null,
      lastReload: status.lastReload ? { at: status.lastReload.at.toISOString(), ok: status.lastReload.ok, errors: status.lastReload.errors.map(toApiError) } : null,
    };
  });

  app.post('/api/rules/reload', {
    schema: {
      tags: ['rules'], summary: 'Reload the rules directory now; on errors the running rules stay and every error is returned (422)', security: bearerSecurity,
      response: { 200: Type.Object({ ok: Type.Literal(true), version: Type.String(), changed: Type.Boolean(), rules: Type.Integer() }), ...Errors },
    },
  }, async (_request, reply) => {
    const result = await decider.reload();
    if (!result.ok) return reply.status(422).send(rulesInvalid(result.errors, `the running rules (version ${decider.status().version}) are kept`));
    return { ok: true as const, version: result.version, changed: result.changed, rules: decider.status().rules };
  });

  app.post('/api/rules/validate', {
    schema: {
      tags: ['rules'], summary: 'Validate candidate rule files without activating them: every error located, and lint findings when valid',
      security: bearerSecurity,
      body: Type.Object(CandidateFields, { additionalProperties: false }),
      response: {
        200: Type.Object({
          ok: Type.Boolean(), version: Nullable(Type.String()), rules: Type.Integer(),
          files: Type.Array(Type.String()), errors: Type.Array(ApiRuleError), lint: Type.Array(LintFinding),
        }),
        401: { $ref: 'ErrorResponse#' },
      },
    },
  }, async (request) => {
    checkNames(request.body.files);
    const candidate = await resolveCandidate({ rulesDir: services.config.rulesDir, files: request.body.files, replace: request.body.replace, known: decider.known() });
    if (!candidate.ok) return { ok: false, version: null, rules: 0, files: [], errors: candidate.errors.map(toApiError), lint: [] };
    return {
      ok: true, version: candidate.ruleSet.version, rules: candidate.ruleSet.rules.length, files: candidate.files.map((f) => f.name),
      errors: [], lint: lintRules({ ruleSet: candidate.ruleSet }),
    };
  });

  app.get('/api/rules/lint', {
    schema: {
      tags: ['rules'], summary: 'Lint the live rules: rules that never match, are shadowed, or whose actions are always overridden', security: bearerSecurity,
      querystring: Type.Object({ verbose: Type.Boolean({ default: false, description: 'include informational findings' }) }),
      response: { 200: Type.Object({ version: Type.String(), warnings: Type.Integer(), findings: Type.Array(LintFinding) }), 401: { $ref: 'ErrorResponse#' } },
    },
  }, async (request) => {
    const ruleSet = decider.ruleSet();
    const findings = lintRules({ ruleSet });
    return {
      version: ruleSet.version,
      warnings: findings.filter((f) => f.severity === 'warning').length,
      findings: request.query.verbose ? findings : findings.filter((f) => f.severity === 'warning'),
    };
  });

  app.post('/api/rules/backtest', {
    schema: {
      tags: ['rules'], summary: 'Replay stored inbound mail through candidate rules (same decide code) and report what would change; writes nothing',
      security: bearerSecurity,
      body: Type.Object({
        ...CandidateFields,
        files: Type.Optional(CandidateFields.files),
        since: Type.Optional(Type.String({ pattern: '^\\d{1,6}[mhdw]$', description: 'only mail received in this window, e.g. 30d, 12h, 2w' })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000, description: 'at most this many messages, newest first' })),
        samples: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_BACKTEST_SAMPLES, default: 5, description: 'sample messages per kind of change' })),
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ candidate: Type.Object({ version: Type.String(), rules: Type.Integer(), files: Type.Array(Type.String()) }), report: BacktestReport }), 409: { $ref: 'ErrorResponse#' }, ...Errors },
    },
  }, async (request, reply) => {
    const body = request.body;
    const files = body.files ?? [];
    checkNames(files);
    const since = body.since ? parseSince(body.since, services.clock.now()) : null;
    if (body.since && !since) throw new AppError('INVALID_REQUEST', `since "${body.since}" is not a duration such as 30d, 12h or 2w`);
    const known = decider.known();
    const candidate = await resolveCandidate({ rulesDir: services.config.rulesDir, files, replace: body.replace, known });
    if (!candidate.ok) return reply.status(422).send(rulesInvalid(candidate.errors, 'nothing was replayed'));
    const runtime = rulesRuntime(services);
    if (runtime.backtestRunning) throw new AppError('CONFLICT', 'a backtest is already running in this process; try again when it is done');
    runtime.backtestRunning = true;
    try {
      const report = await backtestInParallel({
        db,
        ruleSet: candidate.ruleSet,
        context: decider.context(),
        // The live SLA stage, and assignment from a snapshot through the pure stage: nothing is written.
        stages: { ...slaDecisionStages(decider.sla().config), assign: createAssignmentStage(loadRoutingSnapshot(db)) },
        since,
        limit: body.limit ?? null,
        sampleLimit: body.samples,
        betweenBatches: yieldToEventLoop,
        // Worker threads compile the same files against the same names and load the same sla.yaml.
        workers: {
          dbFile: databaseFile(services.config.dataDir),
          sources: candidate.files.map((f) => ({ file: f.name, text: f.content })),
          known,
          slaDir: services.config.rulesDir,
          slaVersion: decider.sla().version,
          assignment: true,
        },
      });
      return { candidate: { version: candidate.ruleSet.version, rules: candidate.ruleSet.rules.length, files: candidate.files.map((f) => f.name) }, report };
    } finally {
      runtime.backtestRunning = false;
    }
  });

  app.get('/api/rules/shadow', {
    schema: {
      tags: ['rules'], summary: 'The shadow rule set: status, messages compared, counts by change kind, recent differences', security: bearerSecurity,
      querystring: Type.Object({ recent: Type.Integer({ minimum: 0, maximum: 200, default: 20 }) }),
      response: { 200: Type.Object({ active: Type.Boolean(), shadow: Nullable(Shadow) }), 401: { $ref: 'ErrorResponse#' } },
    },
  }, async (request) => {
    const shadow = rulesRuntime(services).shadow.status({ recent: request.query.recent });
    return { active: shadow?.status === 'active', shadow: shadow ? shadowOut(shadow) : null };
  });

  app.post('/api/rules/shadow', {
    schema: {
      tags: ['rules'], summary: 'Start a shadow rule set: it decides every new message beside the live rules and records only the differences',
      security: bearerSecurity,
      body: Type.Object(CandidateFields, { additionalProperties: false }),
      response: { 201: Type.Object({ active: Type.Boolean(), shadow: Shadow }), 409: { $ref: 'ErrorResponse#' }, ...Errors },
    },
  }, async (request, reply) => {
    checkNames(request.body.files);
    const result = await rulesRuntime(services).shadow.start({ files: request.body.files, replace: request.body.replace });
    if (!result.ok) {
      if (result.reason === 'invalid') return reply.status(422).send(rulesInvalid(result.errors, 'no shadow was started'));
      throw new AppError('CONFLICT', result.message);
    }
    return reply.status(201).send({ active: true, shadow: shadowOut(result.shadow) });
  });

  app.post('/api/rules/shadow/promote', {
    schema: {
      tags: ['rules'],
      summary: 'Make the shadow rule set live: its files are written to the rules directory (atomically) and the rules reload',
      description: 'Rules are versioned in git: the promoted files are changes to commit. Refused (409) when the rules directory changed since the shadow started, unless `?force=true`.',
      security: bearerSecurity,
      querystring: Type.Object({ force: Type.Boolean({ default: false, description: 'promote even though the rules directory changed since the shadow started' }) }),
      response: {
        200: Type.Object({
          version: Type.String(), changed: Type.Boolean(),
          files: Type.Object({ written: Type.Array(Type.String()), removed: Type.Array(Type.String()), unchanged: Type.Array(Type.String()) }),
          shadow: Shadow,
        }),
        404: { $ref: 'ErrorResponse#' }, 409: { $ref: 'ErrorResponse#' }, ...Errors,
      },
    },
  }, async (request, reply) => {
    const result = await rulesRuntime(services).shadow.promote({ force: request.query.force });
    if (!result.ok) {
      if (result.reason === 'invalid') return reply.status(422).send(rulesInvalid(result.errors, 'the shadow stays; nothing is live that was not before'));
      throw new AppError(result.reason === 'none' ? 'NOT_FOUND' : 'CONFLICT', result.message);
    }
    return { version: result.version, changed: result.changed, files: result.files, shadow: shadowOut(result.shadow) };
  });

  app.delete('/api/rules/shadow', {
    schema: {
      tags: ['rules'], summary: 'Drop the shadow rule set (its recorded differences stay readable until the next shadow starts)', security: bearerSecurity,
      response: { 200: Type.Object({ active: Type.Boolean(), shadow: Shadow }), 404: { $ref: 'ErrorResponse#' }, 401: { $ref: 'ErrorResponse#' } },
    },
  }, async () => {
    const dropped = rulesRuntime(services).shadow.drop();
    if (!dropped) throw new AppError('NOT_FOUND', 'no shadow rule set is running');
    return { active: false, shadow: shadowOut(dropped) };
  });

  app.get('/api/tickets/:id/trace', {
    schema: {
      tags: ['tickets', 'rules'],
      summary: 'Why each message of the ticket went where it went: classifier scores, every rule with each condition\'s actual value and result, the decision, assignment and SLA policy',
      security: bearerSecurity, params: IdParams,
      response: { 200: Type.Object({ ticketId: Type.Integer(), messages: Type.Array(MessageTrace) }), 404: { $ref: 'ErrorResponse#' }, 401: { $ref: 'ErrorResponse#' } },
    },
  }, async (request) => {
    const ticketId = request.params.id;
    if (!db.select({ id: tickets.id }).from(tickets).where(eq(tickets.id, ticketId)).get()) throw new AppError('NOT_FOUND', `No ticket ${ticketId}`);
    const rows = db.select({
      id: messages.id, subject: messages.subject, fromAddress: messages.fromAddress, createdAt: messages.createdAt, flags: messages.flags, decision: messages.decision,
    }).from(messages)
      .where(and(eq(messages.ticketId, ticketId), eq(messages.direction, 'inbound'), isNotNull(messages.decision)))
      .orderBy(asc(messages.createdAt), asc(messages.id)).all();
    return {
      ticketId,
      messages: rows.map((row) => explainDecision({
        stored: row.decision as unknown as StoredDecision,
        message: { id: row.id, ticketId, subject: row.subject, from: row.fromAddress, receivedAt: row.createdAt, flags: row.flags },
      })),
    };
  });
};
