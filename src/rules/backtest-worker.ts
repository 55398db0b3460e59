/**
 * One thread of a parallel backtest (backtest-in-parallel.ts). It rebuilds, from plain data, exactly
 * what the main thread decides with: the candidate rule set (same files, same names), the rule context
 * and SLA stage (same sla.yaml), the assignment stage over its own snapshot; it refuses when a version
 * differs. Then it replays the chunks it is given on its own read-only connection and sends each
 * chunk's report back.
 *
 * Messages in: `{ type: 'chunk', index, range }`, `{ type: 'stop' }`.
 * Messages out: `{ type: 'ready' }`, `{ type: 'refused', reason }`, `{ type: 'done', index, report }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { DecideStages } from '../decide/decide.js';
import { createAssignmentStage } from '../routing/assignment-stage.js';
import { loadRoutingSnapshot } from '../routing/routing-store.js';
import { INITIAL_SLA_STATE, reloadSlaConfig, slaDecisionStages, slaRuleContext } from '../sla/live-sla-config.js';
import { backtestStoredMail, type BacktestRange } from './backtest-stored-mail.js';
import { compileRuleSet, type RuleSource } from './load-rules.js';
import { openDatabaseReadOnly } from './read-only-database.js';
import type { KnownNames } from './rule-types.js';

export type BacktestWorkerData = {
  dbFile: string;
  sources: RuleSource[];
  known: KnownNames;
  /** the directory whose sla.yaml the main thread's SLA stage and rule context come from */
  slaDir: string;
  expect: { ruleSetVersion: string; slaVersion: string | null };
  assignment: boolean;
  /** epoch ms, or null */
  since: number | null;
  sampleLimit: number;
};

export type BacktestWorkerMessage =
  | { type: 'ready' }
  | { type: 'refused'; reason: string }
  | { type: 'done'; index: number; report: Awaited<ReturnType<typeof backtestStoredMail>> };

const port = parentPort!;
const data = workerData as BacktestWorkerData;
const send = (message: BacktestWorkerMessage) => port.postMessage(message);

const start = async (): Promise<void> => {
  const sla = await reloadSlaConfig({ rulesDir: data.slaDir, previous: INITIAL_SLA_STATE, now: new Date() });
  if (sla.version !== data.expect.slaVersion) {
    send({ type: 'refused', reason: `the SLA configuration here is ${sla.version ?? 'not loadable'}, the main thread's ${data.expect.slaVersion ?? 'none'}` });
    return;
  }
  const compiled = compileRuleSet({ sources: data.sources, known: data.known });
  if (!compiled.ok || compiled.ruleSet.version !== data.expect.ruleSetVersion) {
    send({ type: 'refused', reason: compiled.ok ? `rules ${compiled.ruleSet.version} compiled, ${data.expect.ruleSetVersion} expected` : `the rules do not compile here (${compiled.errors.length} errors)` });
    return;
  }
  const db = openDatabaseReadOnly(data.dbFile);
  if (!db) {
    send({ type: 'refused', reason: `no database at ${data.dbFile}` });
    return;
  }
  const stages: DecideStages = { ...slaDecisionStages(sla.config) };
  if (data.assignment) stages.assign = createAssignmentStage(loadRoutingSnapshot(db));
  const context = slaRuleContext(sla.config);
  const since = data.since === null ? null : new Date(data.since);

  port.on('message', (message: { type: 'chunk'; index: number; range: BacktestRange } | { type: 'stop' }) => {
    if (message.type === 'stop') {
      db.$client.close();
      port.close();
      return;
    }
    void backtestStoredMail({ db, ruleSet: compiled.ruleSet, context, stages, since, range: message.range, sampleLimit: data.sampleLimit })
      .then((report) => send({ type: 'done', index: message.index, report }));
  });
  send({ type: 'ready' });
};

void start();
