/**
 * The decision code the running server uses: the pure `decide` over the live rule set, plus hot reload.
 *
 * A reload (file change, `POST /api/rules/reload`, start-up) compiles the whole rules directory; only a
 * fully valid set replaces the live one. A failed reload keeps the running rules and records why, for
 * the API, the log and /health. At start-up with broken rules, Mailroom runs with no rules (everything
 * goes to triage, nothing is lost) and /health says degraded until the files are fixed.
 */
import { existsSync, readdirSync, watch, type FSWatcher } from 'node:fs';
import type { MailroomConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { EMPTY_RULE_SET, loadRuleSet } from '../rules/load-rules.js';
import type { KnownNames, RuleContext, RuleError, RuleSet } from '../rules/rule-types.js';
import { INITIAL_SLA_STATE, reloadSlaConfig, slaDecisionStages, slaRuleContext, type LiveSlaState } from '../sla/live-sla-config.js';
import { decide, type DecideResult, type DecideStages } from './decide.js';
import type { ClassificationResult, DecisionInput } from './types.js';

/** File changes within this window are one reload (editors write files in several steps). */
export const RELOAD_DEBOUNCE_MS = 200;

export type RulesStatus = {
  version: string;
  files: number;
  rules: number;
  loadedAt: Date | null;
  lastReload: { at: Date; ok: boolean; errors: RuleError[] } | null;
};

export type LiveDecider = {
  decide: (input: DecisionInput) => DecideResult;
  classify: (text: string) => ClassificationResult | null;
  ruleSet: () => RuleSet;
  context: () => RuleContext;
  /** the names rules may refer to right now (queues, templates, SLA policies): candidates are checked against them too */
  known: () => KnownNames;
  reload: () => Promise<{ ok: true; version: string; changed: boolean } | { ok: false; errors: RuleError[] }>;
  status: () => RulesStatus;
  /** attach (or detach, with null) the live classifier model */
  setClassifier: (fn: ((text: string) => ClassificationResult | null) | null) => void;
  /** attach the live assignment stage (src/routing/routing-module.ts) */
  setAssignStage: (stage: DecideStages['assign'] | null) => void;
  /** the SLA configuration (`sla.yaml` in the rules directory), reloaded with the rules */
  sla: () => LiveSlaState;
  /** start watching the rules directory */
  watch: () => void;
  close: () => void;
};

export type LiveDeciderOptions = {
  config: Pick<MailroomConfig, 'rulesDir' | 'templatesDir'>;
  log: Logger;
  /** names rules may refer to; each module that owns a kind of name (queues, policies) provides it */
  known?: () => KnownNames;
  /** the queue names rules may route to (null: not known yet, so not checked) */
  queueNames?: () => string[] | null;
  context?: RuleContext;
  now?: () => Date;
};

/** Template names are the files in the templates directory, without extension. */
export const listTemplateNames = (dir: string): string[] =>
  existsSync(dir) ? readdirSync(dir).filter((f) => !f.startsWith('.')).map((f) => f.replace(/\..*$/, '')) : [];

export const createLiveDecider = (opts: LiveDeciderOptions): LiveDecider => {
  const now = opts.now ?? (() => new Date());
  let current: RuleSet = EMPTY_RULE_SET;
  let loadedAt: Date | null = null;
  let lastReload: RulesStatus['lastReload'] = null;
  let classifier: ((text: string) => ClassificationResult | null) | null = null;
  let watcher: FSWatcher | null = null;
  let timer: NodeJS.Timeout | null = null;
  let sla: LiveSlaState = INITIAL_SLA_STATE;
  // Time zone and business hours come from the default SLA policy's calendar (24x7 UTC without sla.yaml).
  const context = (): RuleContext => opts.context ?? slaRuleContext(sla.config);
  let assign: DecideStages['assign'] | undefined;
  const known = opts.known ?? (() => ({
    queues: opts.queueNames?.() ?? null,
    templates: listTemplateNames(opts.config.templatesDir),
    policies: sla.file !== null && sla.config !== null ? sla.config.policies.map((policy) => policy.name) : null,
  }));

  const reload: LiveDecider['reload'] = async () => {
    // sla.yaml first: rules that name a policy are checked against it.
    sla = await reloadSlaConfig({ rulesDir: opts.config.rulesDir, previous: sla, now: now() });
    if (sla.lastReload && !sla.lastReload.ok) {
      opts.log.error({ issues: sla.lastReload.issues }, 'sla: sla.yaml refused, running SLA configuration kept');
    }
    const result = existsSync(opts.config.rulesDir)
      ? await loadRuleSet({ dir: opts.config.rulesDir, known: known() })
      : { ok: true as const, ruleSet: EMPTY_RULE_SET };
    if (!result.ok) {
      lastReload = { at: now(), ok: false, errors: result.errors };
      opts.log.error({ errors: result.errors.map((e) => `${e.file}:${e.line}:${e.column} ${e.path}: ${e.message}`) }, 'rules: reload refused, running rules kept');
      return { ok: false, errors: result.errors };
    }
    const changed = result.ruleSet.version !== current.version;
    current = result.ruleSet;
    loadedAt = now();
    lastReload = { at: loadedAt, ok: true, errors: [] };
    if (changed) opts.log.info({ version: current.version, rules: current.rules.length }, 'rules: loaded');
    return { ok: true, version: current.version, changed };
  };

  return {
    decide: (input) => decide({ input, ruleSet: current, context: context(), stages: { ...slaDecisionStages(sla.config), assign } }),
    classify: (text) => classifier?.(text) ?? null,
    ruleSet: () => current,
    context,
    known,
    sla: () => sla,
    reload,
    status: () => ({ version: current.version, files: current.files.length, rules: current.rules.length, loadedAt, lastReload }),
    watch() {
      if (watcher || !existsSync(opts.config.rulesDir)) return;
      watcher = watch(opts.config.rulesDir, { persistent: false }, (_event, file) => {
        if (file && !/\.ya?ml$/i.test(String(file))) return;
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => { void reload(); }, RELOAD_DEBOUNCE_MS);
      });
    },
    close() {
      watcher?.close();
      watcher = null;
      if (timer) clearTimeout(timer);
    },
    setClassifier: (fn) => { classifier = fn; },
    setAssignStage: (stage) => { assign = stage ?? undefined; },
  };
};
