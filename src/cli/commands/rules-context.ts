/**
 * What `mailroom rules test` and `mailroom rules backtest` need from an installation, read without
 * writing anything: the database opened READ-ONLY when it exists (queues and agents for assignment,
 * customers and tickets, stored mail, the live classifier model), the SLA configuration, and the names
 * rules may refer to.
 *
 * SLA: the candidate directory's own sla.yaml when it has one, else the live rules directory's (so a
 * backtest runs the SLA policy stage as live). Queues: the database's, else the default queues plus
 * every `--queue`.
 */
import { eq } from 'drizzle-orm';
import { composeMessageText } from '../../classify/compose-message-text.js';
import { classifyText } from '../../classify/classify-text.js';
import { loadModel } from '../../classify/persist-model.js';
import type { MailroomConfig } from '../../config.js';
import { databaseFile, type Db } from '../../db/connection.js';
import { openDatabaseReadOnly } from '../../rules/read-only-database.js';
import * as schema from '../../db/schema/index.js';
import type { DecideStages } from '../../decide/decide.js';
import type { ClassificationResult } from '../../decide/types.js';
import { createAssignmentStage } from '../../routing/assignment-stage.js';
import { DEFAULT_QUEUE_NAMES } from '../../routing/default-queues.js';
import { listQueueNames, loadRoutingSnapshot } from '../../routing/routing-store.js';
import type { KnownNames, RuleContext } from '../../rules/rule-types.js';
import { INITIAL_SLA_STATE, reloadSlaConfig, slaConfigFile, slaDecisionStages, slaRuleContext } from '../../sla/live-sla-config.js';
import { listTemplateNames } from '../../decide/live-decider.js';

export type RulesCliContext = {
  /** read-only; null when the installation has no database yet */
  db: Db | null;
  dbFile: string;
  /** the directory the SLA configuration was read from, and its version (worker threads check it) */
  slaDir: string;
  slaVersion: string | null;
  known: KnownNames;
  context: RuleContext;
  /** the SLA stage, and the pure assignment stage over a snapshot when there is a database */
  stages: DecideStages;
  /** the live classifier, when the database names an active model that loads */
  classify: ((text: string) => ClassificationResult | null) | null;
  /** what was used or not, for stderr */
  notes: string[];
  close: () => void;
};

const activeModelFile = (db: Db): string | null => {
  try {
    return db.select({ file: schema.classifierModels.file }).from(schema.classifierModels).where(eq(schema.classifierModels.active, true)).get()?.file ?? null;
  } catch {
    return null; // a database from before the classifier tables
  }
};

export const openRulesCliContext = async (options: {
  config: MailroomConfig;
  /** the candidate rules directory */
  rulesDir: string;
  extraQueues: readonly string[];
  now: Date;
  /** build the assignment stage (test, backtest) */
  assignment: boolean;
  classifier: boolean;
}): Promise<RulesCliContext> => {
  const { config } = options;
  const notes: string[] = [];
  const dbFile = databaseFile(config.dataDir);
  const db = openDatabaseReadOnly(dbFile);
  if (!db) notes.push(`note: no database at ${dbFile}: default queues, no assignment, no customer or thread facts`);

  const slaDir = slaConfigFile(options.rulesDir) ? options.rulesDir : config.rulesDir;
  const sla = await reloadSlaConfig({ rulesDir: slaDir, previous: INITIAL_SLA_STATE, now: options.now });
  if (sla.lastReload && !sla.lastReload.ok) {
    notes.push(`note: ${sla.file ?? slaDir} is not valid (${sla.lastReload.issues.map((i) => i.message).slice(0, 3).join('; ')}): no SLA policy stage`);
  } else if (sla.file) {
    notes.push(`note: SLA policies from ${sla.file}`);
  }

  const dbQueues = db ? listQueueNames(db) : [];
  const known: KnownNames = {
    queues: [...new Set([...(dbQueues.length ? dbQueues : DEFAULT_QUEUE_NAMES), ...options.extraQueues])],
    templates: listTemplateNames(config.templatesDir),
    policies: sla.config && sla.file ? sla.config.policies.map((p) => p.name) : null,
  };

  const stages: DecideStages = { ...slaDecisionStages(sla.config) };
  if (options.assignment && db) stages.assign = createAssignmentStage(loadRoutingSnapshot(db));

  let classify: RulesCliContext['classify'] = null;
  const modelFile = options.classifier && db ? activeModelFile(db) : null;
  if (modelFile) {
    try {
      const model = await loadModel({ path: modelFile });
      classify = (text) => classifyText({ model, text, threshold: config.classifierThreshold });
    } catch (error) {
      notes.push(`note: the live classifier model (${modelFile}) could not be loaded: ${(error as Error).message}`);
    }
  } else if (options.classifier && db) {
    notes.push('note: no live classifier model: rules alone decide (--category simulates one)');
  }

  return {
    db, dbFile, slaDir, slaVersion: sla.version, known, context: slaRuleContext(sla.config), stages, classify, notes,
    close: () => { db?.$client.close(); },
  };
};

/** The classifier's text for a message, composed as intake composes it. */
export const classifierText = (subject: string, visibleText: string): string => composeMessageText({ subject, visibleText });
