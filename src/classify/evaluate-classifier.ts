/**
 * Measures a classifier the way a supervisor needs to judge it: accuracy, macro-F1, precision and
 * recall per category, the most confused pairs, a calibration table (for each confidence threshold,
 * the share of messages at or above it and the accuracy among those), training seconds and
 * classification latency.
 *
 * Either k-fold cross-validation over one set of examples (stratified, seeded) or one fixed train /
 * test split. The clock is passed in (milliseconds, e.g. `performance.now`): this module never reads
 * it on its own, so tests can give a fake one. Latency is per `classifyText` call (features + scores).
 */
import { ClassifierError } from './classifier-error.js';
import { classifyText } from './classify-text.js';
import type { ClassifierModel } from './classifier-model.js';
import type { LabeledExample } from './labeled-example.js';
import { encodeModel } from './model-codec.js';
import { assignStratifiedFolds } from './stratified-folds.js';
import { trainClassifier, type TrainClassifierOptions } from './train-classifier.js';

export type EvaluationSplit =
  | { examples: LabeledExample[]; folds: number; train?: never; test?: never }
  | { train: LabeledExample[]; test: LabeledExample[]; examples?: never; folds?: never };

export type EvaluateClassifierOptions = EvaluationSplit & {
  /** everything trainClassifier takes except the examples (seed, features, svm) */
  training?: Omit<TrainClassifierOptions, 'examples'>;
  /** confidence thresholds of the calibration table (default 0.30, 0.35, … 0.95) */
  thresholds?: number[];
  /** evaluate only the first this many folds (cross-validation), e.g. to bound a benchmark */
  maxFolds?: number;
  /** monotonic milliseconds */
  clock: () => number;
};

export type CategoryMetrics = { category: string; precision: number; recall: number; f1: number; support: number };
export type ConfusedPair = { actual: string; predicted: string; count: number };
export type CalibrationRow = { threshold: number; coverage: number; accuracy: number | null; messages: number };

export type EvaluationReport = {
  method: 'cross-validation' | 'train-test';
  folds: number;
  /** messages classified (summed over folds) */
  tested: number;
  accuracy: number;
  macroF1: number;
  foldAccuracy: number[];
  perCategory: CategoryMetrics[];
  confusedPairs: ConfusedPair[];
  calibration: CalibrationRow[];
  /** mean |confidence − accuracy| over ten equal-width confidence bins, weighted by messages */
  expectedCalibrationError: number;
  trainingSeconds: number[];
  classifyMs: { p50: number; p99: number; mean: number };
  modelBytes: number[];
  modelVersions: string[];
};

export const DEFAULT_THRESHOLDS = [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95];
const CONFUSED_PAIRS_SHOWN = 10;
const CALIBRATION_BINS = 10;

type Prediction = { actual: string; predicted: string; confidence: number };

type Fold = { train: LabeledExample[]; test: LabeledExample[] };

const foldsOf = (options: EvaluateClassifierOptions): Fold[] => {
  if (options.train !== undefined) return [{ train: options.train, test: options.test }];
  const { examples, folds } = options;
  if (!Number.isInteger(folds) || folds < 2) {
    throw new ClassifierError('CLASSIFIER_BAD_OPTIONS', `folds must be an integer ≥ 2, got ${folds}`, 'Use at least 2 folds.');
  }
  if (examples.length < folds) {
    throw new ClassifierError(
      'CLASSIFIER_BAD_OPTIONS',
      `${examples.length} examples cannot be split into ${folds} folds`,
      `There are fewer examples (${examples.length}) than folds (${folds}).`,
    );
  }
  const foldOf = assignStratifiedFolds(examples, folds, options.training?.seed ?? 1);
  return Array.from({ length: folds }, (_, fold) => ({
    train: examples.filter((_, i) => foldOf[i] !== fold),
    test: examples.filter((_, i) => foldOf[i] === fold),
  }));
};

const percentile = (sorted: number[], p: number): number =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

const perCategoryMetrics = (predictions: Prediction[]): CategoryMetrics[] => {
  const categories = new Set<string>();
  const truePositives = new Map<string, number>();
  const predicted = new Map<string, number>();
  const actual = new Map<string, number>();
  const bump = (map: Map<string, number>, key: string): void => {
    map.set(key, (map.get(key) ?? 0) + 1);
  };
  for (const p of predictions) {
    categories.add(p.actual);
    categories.add(p.predicted);
    bump(actual, p.actual);
    bump(predicted, p.predicted);
    if (p.actual === p.predicted) bump(truePositives, p.actual);
  }
  return [...categories].sort().map((category) => {
    const tp = truePositives.get(category) ?? 0;
    const precision = tp === 0 ? 0 : tp / (predicted.get(category) ?? 1);
    const recall = tp === 0 ? 0 : tp / (actual.get(category) ?? 1);
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { category, precision, recall, f1, support: actual.get(category) ?? 0 };
  });
};

const confusedPairs = (predictions: Prediction[]): ConfusedPair[] => {
  const counts = new Map<string, ConfusedPair>();
  for (const p of predictions) {
    if (p.actual === p.predicted) continue;
    const key = JSON.stringify([p.actual, p.predicted]);
    const pair = counts.get(key) ?? { actual: p.actual, predicted: p.predicted, count: 0 };
    pair.count++;
    counts.set(key, pair);
  }
  return [...counts.values()]
    .sort((a, b) => b.count - a.count || a.actual.localeCompare(b.actual) || a.predicted.localeCompare(b.predicted))
    .slice(0, CONFUSED_PAIRS_SHOWN);
};

const calibrationTable = (predictions: Prediction[], thresholds: number[]): CalibrationRow[] =>
  thresholds.map((threshold) => {
    const above = predictions.filter((p) => p.confidence >= threshold);
    const correct = above.filter((p) => p.actual === p.predicted).length;
    return {
      threshold,
      coverage: predictions.length === 0 ? 0 : above.length / predictions.length,
      accuracy: above.length === 0 ? null : correct / above.length,
      messages: above.length,
    };
  });

const expectedCalibrationError = (predictions: Prediction[]): number => {
  const bins = Array.from({ length: CALIBRATION_BINS }, () => ({ confidence: 0, correct: 0, messages: 0 }));
  for (const p of predictions) {
    const bin = bins[Math.min(CALIBRATION_BINS - 1, Math.floor(p.confidence * CALIBRATION_BINS))];
    bin.confidence += p.confidence;
    bin.correct += p.actual === p.predicted ? 1 : 0;
    bin.messages++;
  }
  if (predictions.length === 0) return 0;
  return bins.reduce((sum, bin) => sum + Math.abs(bin.confidence - bin.correct), 0) / predictions.length;
};

const trainFold = (fold: Fold, index: number, options: EvaluateClassifierOptions): ClassifierModel => {
  const { model, problem } = trainClassifier({ ...options.training, examples: fold.train });
  if (model === null) {
    throw new ClassifierError(
      'CLASSIFIER_BAD_OPTIONS',
      `fold ${index + 1}: ${problem.message}`,
      `The training part of fold ${index + 1} cannot be trained: ${problem.message}`,
    );
  }
  return model;
};

/**
 * Trains and tests a classifier by cross-validation or on a fixed split, and reports the metrics.
 *
 * @throws ClassifierError `CLASSIFIER_BAD_OPTIONS` for fewer than 2 folds, fewer examples than
 *   folds, an empty test set, or a training part that holds a single category.
 */
export const evaluateClassifier = (options: EvaluateClassifierOptions): EvaluationReport => {
  const { clock, thresholds = DEFAULT_THRESHOLDS } = options;
  const allFolds = foldsOf(options);
  const folds = allFolds.slice(0, Math.max(1, options.maxFolds ?? allFolds.length));
  if (folds.some((fold) => fold.test.length === 0)) {
    throw new ClassifierError('CLASSIFIER_BAD_OPTIONS', 'the test set is empty', 'There are no test examples.');
  }
  const predictions: Prediction[] = [];
  const latencies: number[] = [];
  const trainingSeconds: number[] = [];
  const foldAccuracy: number[] = [];
  const modelBytes: number[] = [];
  const modelVersions: string[] = [];
  folds.forEach((fold, index) => {
    const started = clock();
    const model = trainFold(fold, index, options);
    trainingSeconds.push((clock() - started) / 1000);
    modelBytes.push(encodeModel(model).length);
    modelVersions.push(model.version);
    let correct = 0;
    for (const example of fold.test) {
      const before = clock();
      const result = classifyText({ model, text: example.text, threshold: 0 });
      latencies.push(clock() - before);
      const predicted = result?.top[0]?.category ?? '';
      if (predicted === example.category) correct++;
      predictions.push({ actual: example.category, predicted, confidence: result?.confidence ?? 0 });
    }
    foldAccuracy.push(correct / fold.test.length);
  });
  const perCategory = perCategoryMetrics(predictions);
  const sortedLatencies = [...latencies].sort((a, b) => a - b);
  return {
    method: options.train !== undefined ? 'train-test' : 'cross-validation',
    folds: folds.length,
    tested: predictions.length,
    accuracy: predictions.filter((p) => p.actual === p.predicted).length / predictions.length,
    macroF1: perCategory.reduce((sum, c) => sum + c.f1, 0) / perCategory.length,
    foldAccuracy,
    perCategory,
    confusedPairs: confusedPairs(predictions),
    calibration: calibrationTable(predictions, thresholds),
    expectedCalibrationError: expectedCalibrationError(predictions),
    trainingSeconds,
    classifyMs: {
      p50: percentile(sortedLatencies, 0.5),
      p99: percentile(sortedLatencies, 0.99),
      mean: latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length),
    },
    modelBytes,
    modelVersions,
  };
};
