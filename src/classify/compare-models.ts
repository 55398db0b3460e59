/**
 * Decides whether a newly trained model replaces the live one: the candidate wins only if its
 * accuracy on held-out examples is not worse than the live model's on the same examples. Ties go to
 * the candidate (it has learned from more, newer corrections). With no live model the candidate wins;
 * with no held-out examples there is no evidence, so a live model stays.
 *
 * The held-out examples must not be in the candidate's training data (see splitExamples); the live
 * model may have seen some of them, which favours the live model, the safe direction.
 */
import { argMax, computeMargins, type ClassifierModel } from './classifier-model.js';
import type { LabeledExample } from './labeled-example.js';
import { vectorizeText } from './text-features.js';

export type ChooseModelOptions = {
  current: ClassifierModel | null;
  candidate: ClassifierModel;
  heldOut: LabeledExample[];
};

export type ModelChoice = {
  winner: 'candidate' | 'current';
  candidateVersion: string;
  currentVersion: string | null;
  candidateAccuracy: number | null;
  currentAccuracy: number | null;
  /** candidate − current accuracy, in percentage points; null when it could not be measured */
  differencePoints: number | null;
  heldOut: number;
  /** one sentence for the API response and the log */
  reason: string;
};

/** Top-1 accuracy of a model on labeled examples (no threshold). */
export const measureAccuracy = (model: ClassifierModel, examples: LabeledExample[]): number => {
  const margins = new Float64Array(model.categories.length);
  let correct = 0;
  for (const example of examples) {
    computeMargins(model, vectorizeText(example.text, model.features), margins);
    if (model.categories[argMax(margins)] === example.category) correct++;
  }
  return examples.length === 0 ? 0 : correct / examples.length;
};

const points = (accuracy: number): string => `${(accuracy * 100).toFixed(1)}%`;

/** Chooses between the live model and a candidate by held-out accuracy. */
export const chooseModel = ({ current, candidate, heldOut }: ChooseModelOptions): ModelChoice => {
  const base = { candidateVersion: candidate.version, currentVersion: current?.version ?? null, heldOut: heldOut.length };
  if (heldOut.length === 0) {
    const winner = current === null ? 'candidate' : 'current';
    return {
      ...base,
      winner,
      candidateAccuracy: null,
      currentAccuracy: null,
      differencePoints: null,
      reason:
        winner === 'candidate'
          ? 'no live model: the candidate becomes the live model (no held-out examples to measure it on)'
          : 'no held-out examples to compare on: the live model stays',
    };
  }
  const candidateAccuracy = measureAccuracy(candidate, heldOut);
  if (current === null) {
    return {
      ...base,
      winner: 'candidate',
      candidateAccuracy,
      currentAccuracy: null,
      differencePoints: null,
      reason: `no live model: the candidate becomes the live model (${points(candidateAccuracy)} on ${heldOut.length} held-out examples)`,
    };
  }
  const currentAccuracy = measureAccuracy(current, heldOut);
  const differencePoints = (candidateAccuracy - currentAccuracy) * 100;
  const winner = candidateAccuracy >= currentAccuracy ? 'candidate' : 'current';
  const comparison = `${points(candidateAccuracy)} vs ${points(currentAccuracy)} on ${heldOut.length} held-out examples`;
  return {
    ...base,
    winner,
    candidateAccuracy,
    currentAccuracy,
    differencePoints,
    reason:
      winner === 'candidate'
        ? `the candidate is not worse (${comparison}): it replaces the live model`
        : `the candidate is worse by ${(-differencePoints).toFixed(1)} points (${comparison}): the live model stays`,
  };
};
