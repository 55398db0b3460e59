/**
 * Retraining from what agents taught it: every labeled example in the database, split into training and
 * held-out (stratified, seeded), a candidate trained off-thread, then `chooseModel` on the held-out
 * examples. The candidate goes live only if its held-out accuracy is not worse than the live model's on
 * the same examples; the result says which won and by how much.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { classifierModels, trainingExamples } from '../db/schema/index.js';
import type { ClassifierModel } from './classifier-model.js';
import { classifyProbabilities } from './classify-text.js';
import { chooseModel, type ModelChoice } from './compare-models.js';
import { DEFAULT_THRESHOLDS } from './evaluate-classifier.js';
import type { LabeledExample } from './labeled-example.js';
import { saveModel } from './persist-model.js';
import { splitExamples } from './split-examples.js';
import { trainInWorker } from './train-in-worker.js';

export type CalibrationPoint = { threshold: number; coverage: number; accuracy: number | null };

export type RetrainResult =
  | { outcome: 'cold-start'; examples: number; reason: string }
  | { outcome: 'trained'; examples: number; choice: ModelChoice; activated: boolean; calibration: CalibrationPoint[] };

/**
 * Accuracy and coverage of the messages whose top probability is at least each threshold: what a
 * supervisor reads to pick the threshold below which mail goes to triage uncategorized.
 */
export const calibrationTable = (model: ClassifierModel, examples: LabeledExample[], thresholds = DEFAULT_THRESHOLDS): CalibrationPoint[] => {
  const scored = examples.map((e) => {
    const p = classifyProbabilities(model, e.text);
    let best = 0;
    for (let i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
    return { confidence: p[best], correct: model.categories[best] === e.category };
  });
  return thresholds.map((threshold) => {
    const above = scored.filter((s) => s.confidence >= threshold);
    return {
      threshold,
      coverage: scored.length ? above.length / scored.length : 0,
      accuracy: above.length ? above.filter((s) => s.correct).length / above.length : null,
    };
  });
};

export const retrainClassifier = async ({ db, modelsDir, current, now }: {
  db: Db; modelsDir: string; current: ClassifierModel | null; now: Date;
}): Promise<RetrainResult & { model?: ClassifierModel }> => {
  const examples: LabeledExample[] = db.select({ text: trainingExamples.text, category: trainingExamples.category }).from(trainingExamples).all();
  const categories = new Set(examples.map((e) => e.category));
  if (categories.size < 2) {
    return { outcome: 'cold-start', examples: examples.length, reason: `need examples of at least 2 categories (have ${categories.size})` };
  }
  const { train, heldOut } = splitExamples({ examples, heldOutFraction: 0.2, seed: 1 });
  const trained = await trainInWorker({ examples: train, trainedAt: now });
  if (!trained.model) return { outcome: 'cold-start', examples: examples.length, reason: trained.problem.message };
  const candidate = trained.model;
  const choice = chooseModel({ current, candidate, heldOut });
  const calibration = calibrationTable(candidate, heldOut);
  if (choice.winner !== 'candidate') return { outcome: 'trained', examples: examples.length, choice, activated: false, calibration };

  mkdirSync(modelsDir, { recursive: true });
  const file = path.join(modelsDir, `${candidate.version}.model`);
  await saveModel({ model: candidate, path: file });
  db.transaction((tx) => {
    tx.update(classifierModels).set({ active: false }).where(eq(classifierModels.active, true)).run();
    tx.insert(classifierModels).values({
      version: candidate.version, file, active: true, examples: train.length, heldOut: heldOut.length,
      heldOutAccuracy: choice.candidateAccuracy, calibration, categories: candidate.categories, trainedAt: now,
    }).onConflictDoUpdate({ target: classifierModels.version, set: { active: true } }).run();
  });
  return { outcome: 'trained', examples: examples.length, choice, activated: true, calibration, model: candidate };
};
