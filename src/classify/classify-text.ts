/**
 * Classifies one message's text with a trained model: the category, its calibrated probability, the
 * three most probable categories, and the model version, in the shape the decision trace stores
 * (ClassificationResult in src/decide/types.ts).
 *
 * Below the threshold the category is null: the message is `uncategorized` and goes to triage; the
 * probabilities are still reported so a supervisor can see how close it was. With no model (cold
 * start) the result is null, and rules alone decide.
 */
import type { ClassificationResult } from '../decide/types.js';
import { ClassifierError } from './classifier-error.js';
import { computeMargins, softmaxInPlace, type ClassifierModel } from './classifier-model.js';
import { vectorizeText } from './text-features.js';

export type ClassifyTextOptions = {
  model: ClassifierModel | null;
  /** see composeMessageText: subject + visible text */
  text: string;
  /** minimum probability to accept the top category, 0..1 */
  threshold: number;
};

/** How many categories the result lists. */
export const TOP_CATEGORIES = 3;

/** Probabilities of every category, in the model's category order. */
export const classifyProbabilities = (model: ClassifierModel, text: string): Float64Array => {
  const margins = computeMargins(model, vectorizeText(text, model.features), new Float64Array(model.categories.length));
  return softmaxInPlace(margins, model.temperature);
};

/**
 * Classifies a text.
 *
 * @returns null when there is no model; otherwise the top category (null below `threshold`), its
 *   probability as `confidence`, the top three categories by probability, and the model version.
 * @throws ClassifierError `CLASSIFIER_BAD_OPTIONS` when the threshold is not a number in 0..1.
 */
export const classifyText = ({ model, text, threshold }: ClassifyTextOptions): ClassificationResult | null => {
  if (!(threshold >= 0 && threshold <= 1)) {
    throw new ClassifierError('CLASSIFIER_BAD_OPTIONS', `threshold ${threshold} is not in 0..1`, 'The classifier threshold must be between 0 and 1.');
  }
  if (model === null) return null;
  const probabilities = classifyProbabilities(model, text);
  const top: ClassificationResult['top'] = [];
  // Partial selection: three passes over the categories beat sorting them all.
  const taken = new Set<number>();
  for (let rank = 0; rank < Math.min(TOP_CATEGORIES, probabilities.length); rank++) {
    let best = -1;
    for (let c = 0; c < probabilities.length; c++) {
      if (!taken.has(c) && (best === -1 || probabilities[c] > probabilities[best])) best = c;
    }
    taken.add(best);
    top.push({ category: model.categories[best], probability: probabilities[best] });
  }
  const confidence = top[0].probability;
  return {
    category: confidence >= threshold ? top[0].category : null,
    confidence,
    top,
    modelVersion: model.version,
    threshold,
  };
};
