/**
 * Splits labeled examples into a training part and a held-out part (stratified, seeded), for
 * chooseModel: the candidate trains on `train`, and both models are judged on `heldOut`, which
 * neither of them has seen if the live model was trained before these examples were recorded.
 */
import type { LabeledExample } from './labeled-example.js';
import { assignStratifiedFolds } from './stratified-folds.js';
import { ClassifierError } from './classifier-error.js';

export type SplitExamplesOptions = {
  examples: LabeledExample[];
  /** share of examples held out, in (0, 1); default 0.2 */
  heldOutFraction?: number;
  seed?: number;
};

/** Stratified split: about `heldOutFraction` of each category goes to `heldOut`. */
export const splitExamples = ({
  examples,
  heldOutFraction = 0.2,
  seed = 1,
}: SplitExamplesOptions): { train: LabeledExample[]; heldOut: LabeledExample[] } => {
  if (!(heldOutFraction > 0 && heldOutFraction < 1)) {
    throw new ClassifierError('CLASSIFIER_BAD_OPTIONS', `heldOutFraction ${heldOutFraction} is not in (0, 1)`);
  }
  // Deal into 1/fraction folds and hold out fold 0: stratified like cross-validation.
  const folds = Math.max(2, Math.round(1 / heldOutFraction));
  const foldOf = assignStratifiedFolds(examples, folds, seed);
  return {
    train: examples.filter((_, i) => foldOf[i] !== 0),
    heldOut: examples.filter((_, i) => foldOf[i] === 0),
  };
};
