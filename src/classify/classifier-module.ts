/**
 * The classifier in the running product:
 * - at start, the live model (classifier_models.active) is loaded and attached to the decider, so
 *   intake records category, confidence and the top 3 in every decision trace; with no model (cold
 *   start) rules alone decide;
 * - an agent's category change (`category_changed`) becomes a labeled example: the ticket's first
 *   customer message (subject + visible text), one example per ticket, the latest correction wins;
 * - retraining (`POST /api/classifier/train`, `mailroom train`) runs off-thread and swaps the live model
 *   only when the candidate is not worse on held-out examples;
 * - other processes (BullMQ workers) notice a new live model within MODEL_POLL_MS.
 */
import path from 'node:path';
import { asc, eq } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { classifierModels, messages, trainingExamples } from '../db/schema/index.js';
import type { MailroomModule } from '../module.js';
import type { Services } from '../services.js';
import { classifierRoutes } from '../api/routes/classifier.js';
import type { ClassifierModel } from './classifier-model.js';
import { classifyText } from './classify-text.js';
import { composeMessageText } from './compose-message-text.js';
import { loadModel } from './persist-model.js';
import { retrainClassifier, type RetrainResult } from './retrain-classifier.js';

export const MODEL_POLL_MS = 30_000;

export type ClassifierRun = { state: 'running' | 'done' | 'failed'; startedAt: Date; finishedAt: Date | null; result: RetrainResult | null; error: string | null };

export type ClassifierRuntime = {
  model: () => ClassifierModel | null;
  lastRun: () => ClassifierRun | null;
  /** starts a retraining run unless one is running; resolves when it ends */
  retrain: () => { started: boolean; done: Promise<ClassifierRun> };
};

export const modelsDir = (services: Pick<Services, 'config'>) => path.join(services.config.dataDir, 'models');

/** Records (or replaces) the ticket's training example from its first customer message. */
export const recordCorrection = (db: Db, ticketId: number, category: string, actor: string, now: Date): boolean => {
  const first = db.select({ subject: messages.subject, visibleText: messages.visibleText }).from(messages)
    .where(eq(messages.ticketId, ticketId)).orderBy(asc(messages.id)).limit(1).get();
  if (!first) return false;
  db.insert(trainingExamples).values({
    text: composeMessageText({ subject: first.subject, visibleText: first.visibleText }), category, source: 'correction', ticketId, createdBy: actor, createdAt: now,
  }).onConflictDoUpdate({ target: [trainingExamples.source, trainingExamples.ticketId], set: { category, createdBy: actor, createdAt: now } }).run();
  return true;
};

const runtimes = new WeakMap<Services, ClassifierRuntime>();
export const classifierRuntime = (services: Services): ClassifierRuntime => {
  const r = runtimes.get(services);
  if (!r) throw new Error('the classifier module is not started');
  return r;
};

export const classifierModule: MailroomModule = {
  name: 'classifier',
  routes: classifierRoutes,
  start: async (services) => {
    const { db, log, decider, config } = services;
    let model: ClassifierModel | null = null;
    let lastRun: ClassifierRun | null = null;
    let running: Promise<ClassifierRun> | null = null;

    const attach = (m: ClassifierModel | null) => {
      model = m;
      decider.setClassifier(m ? (text) => classifyText({ model: m, text, threshold: config.classifierThreshold }) : null);
    };
    const loadActive = async () => {
      const row = db.select().from(classifierModels).where(eq(classifierModels.active, true)).get();
      if (!row || row.version === model?.version) return;
      try {
        attach(await loadModel({ path: row.file }));
        log.info({ version: row.version }, 'classifier: model loaded');
      } catch (err) {
        log.error({ err, file: row.file }, 'classifier: live model could not be loaded; rules alone decide');
      }
    };
    await loadActive();
    const poll = setInterval(() => { void loadActive(); }, MODEL_POLL_MS);
    poll.unref();

    services.ticketHooks.push((e) => {
      if (e.type !== 'category_changed' || typeof e.data.to !== 'string' || e.actor === 'system' || e.actor === 'rules') return;
      recordCorrection(db, e.ticketId, e.data.to, e.actor, e.at);
    });

    runtimes.set(services, {
      model: () => model,
      lastRun: () => lastRun,
      retrain: () => {
        if (running) return { started: false, done: running };
        const run: ClassifierRun = { state: 'running', startedAt: services.clock.now(), finishedAt: null, result: null, error: null };
        lastRun = run;
        running = retrainClassifier({ db, modelsDir: modelsDir(services), current: model, now: run.startedAt })
          .then((result) => {
            if (result.outcome === 'trained' && result.activated && result.model) attach(result.model);
            const { model: _m, ...report } = result;
            Object.assign(run, { state: 'done', result: report, finishedAt: services.clock.now() });
            log.info({ outcome: result.outcome, activated: result.outcome === 'trained' && result.activated }, 'classifier: retrained');
            return run;
          }, (err: Error) => {
            Object.assign(run, { state: 'failed', error: err.message, finishedAt: services.clock.now() });
            log.error({ err }, 'classifier: retraining failed');
            return run;
          })
          .finally(() => { running = null; });
        return { started: true, done: running };
      },
    });
    return async () => {
      clearInterval(poll);
      await running;
    };
  },
};

