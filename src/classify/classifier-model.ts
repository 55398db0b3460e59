/**
 * The trained classifier as it lives in memory and (via model-codec.ts) on disk, and the arithmetic
 * every use case shares: margins of a message, and probabilities from margins.
 *
 * Weights are stored as 8-bit integers with one scale per category (symmetric quantisation,
 * w ≈ q × scale, |q| ≤ 127). They are quantised right after training, so the model that is
 * evaluated, compared, saved and loaded is one and the same; quantisation moves margins by about
 * 1/254 of a category's largest weight, far below the gaps that decide a ranking, and makes the file
 * four times smaller than 32-bit floats.
 */
import type { FeatureSpace, SparseVector } from './text-features.js';

/** How the probabilities were calibrated, and what the held-out messages said about the model. */
export type CalibrationSummary =
  | {
      method: 'temperature';
      temperature: number;
      /** messages held out of training to fit the temperature */
      heldOut: number;
      /** accuracy of the model trained without them, on them */
      heldOutAccuracy: number;
      /** mean negative log-likelihood on them, before (temperature 1) and after calibration */
      logLossBefore: number;
      logLossAfter: number;
      /** true when few or error-free held-out messages capped the confidence (see fit-temperature.ts) */
      limitedByEvidence: boolean;
    }
  | { method: 'none'; temperature: number; reason: string };

export type TrainingSummary = {
  examples: number;
  examplesPerCategory: Record<string, number>;
  seed: number;
  /** when the model was trained, as given by the caller (training never reads the clock) */
  trainedAt: string | null;
};

export type ClassifierModel = {
  /** content hash of everything that affects predictions: same data and seed → same version */
  version: string;
  categories: string[];
  features: FeatureSpace;
  /** columns × categories, laid out by column */
  weights: Int8Array;
  weightScales: Float32Array;
  bias: Float32Array;
  /** probabilities = softmax(margins / temperature) */
  temperature: number;
  calibration: CalibrationSummary;
  training: TrainingSummary;
};

const QUANTISATION_LEVELS = 127;

/** Quantises column-major float weights to int8 with one scale per category. */
export const quantizeWeights = (
  weights: Float32Array,
  categories: number,
): { weights: Int8Array; weightScales: Float32Array } => {
  const largest = new Float64Array(categories);
  for (let k = 0; k < weights.length; k++) {
    const c = k % categories;
    const magnitude = Math.abs(weights[k]);
    if (magnitude > largest[c]) largest[c] = magnitude;
  }
  const weightScales = new Float32Array(categories);
  for (let c = 0; c < categories; c++) weightScales[c] = largest[c] > 0 ? largest[c] / QUANTISATION_LEVELS : 1;
  const quantized = new Int8Array(weights.length);
  for (let k = 0; k < weights.length; k++) quantized[k] = Math.round(weights[k] / weightScales[k % categories]);
  return { weights: quantized, weightScales };
};

/** Writes the margin of every category for one message into `out`. */
export const computeMargins = (
  model: Pick<ClassifierModel, 'weights' | 'weightScales' | 'bias'>,
  vector: SparseVector,
  out: Float64Array,
): Float64Array => {
  const categories = out.length;
  const { weights, weightScales, bias } = model;
  out.fill(0);
  const { indices, values } = vector;
  for (let k = 0; k < indices.length; k++) {
    const base = indices[k] * categories;
    const x = values[k];
    for (let c = 0; c < categories; c++) out[c] += weights[base + c] * x;
  }
  for (let c = 0; c < categories; c++) out[c] = out[c] * weightScales[c] + bias[c];
  return out;
};

/** In place: scores → softmax(scores / temperature). Sums to 1. */
export const softmaxInPlace = (scores: Float64Array, temperature: number): Float64Array => {
  let max = -Infinity;
  for (let c = 0; c < scores.length; c++) if (scores[c] > max) max = scores[c];
  let sum = 0;
  for (let c = 0; c < scores.length; c++) {
    const e = Math.exp((scores[c] - max) / temperature);
    scores[c] = e;
    sum += e;
  }
  for (let c = 0; c < scores.length; c++) scores[c] /= sum;
  return scores;
};

/** Index of the largest value (the first one on ties). */
export const argMax = (values: Float64Array): number => {
  let best = 0;
  for (let c = 1; c < values.length; c++) if (values[c] > values[best]) best = c;
  return best;
};
