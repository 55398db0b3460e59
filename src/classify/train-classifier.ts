/**
 * Trains a classifier from labeled examples: features (text-features.ts) → one-vs-rest linear SVMs
 * (linear-svm.ts) → int8 weights → a temperature fitted on held-out messages (fit-temperature.ts).
 *
 * Calibration needs margins of messages the model did not see:
 * - with at least `LARGE_TRAINING_SET` examples, one stratified tenth is held out, a model is trained
 *   on the rest, and its margins on the tenth fit the temperature;
 * - with fewer, every example gets an out-of-fold margin from `SMALL_SET_CALIBRATION_FOLDS`-fold
 *   cross-fitting (small sets train in milliseconds, and a tenth of them would be too few);
 * - with fewer than `MIN_EXAMPLES_TO_CALIBRATE`, there is nothing sound to fit: temperature 1, and
 *   the summary says so.
 * The model that is returned is trained on all examples and uses that temperature; for a large set it
 * continues from the calibration fit (a warm start: the support vectors and the added tenth are
 * revisited for `warmStartPasses` passes), which costs a fraction of a second training. The held-out
 * (or out-of-fold) accuracy is recorded in `calibration`. Both fits share one feature space, built
 * from all examples: its idf counts the held-out messages too, which is unlabeled statistics only.
 *
 * Cold start is not an error: no examples, or examples of a single category, return `model: null`
 * with the reason, and intake goes on with rules alone.
 */
import {
  argMax,
  computeMargins,
  quantizeWeights,
  type CalibrationSummary,
  type ClassifierModel,
} from './classifier-model.js';
import { CLASSIFIER_ERROR_CODES, ClassifierError } from './classifier-error.js';
import { fitTemperature } from './fit-temperature.js';
import type { LabeledExample } from './labeled-example.js';
import {
  DEFAULT_LINEAR_SVM_OPTIONS,
  fitOneVsRestSvm,
  rowOf,
  selectRows,
  toSparseMatrix,
  type LinearSvmOptions,
  type SvmWarmStart,
  type LinearWeights,
  type SparseMatrix,
} from './linear-svm.js';
import { computeModelVersion } from './model-codec.js';
import { assignStratifiedFolds } from './stratified-folds.js';
import {
  DEFAULT_FEATURE_OPTIONS,
  buildFeatureSpace,
  featureOptionsSchema,
  countFeatures,
  vectorizeCounts,
  type FeatureOptions,
} from './text-features.js';

export type TrainClassifierOptions = {
  examples: LabeledExample[];
  /** seeds every shuffle and split; same examples + seed → same model and version (default 1) */
  seed?: number;
  features?: Partial<FeatureOptions>;
  svm?: Partial<Omit<LinearSvmOptions, 'seed'>>;
  /** passes when the final fit continues from the calibration fit (default 2) */
  warmStartPasses?: number;
  /** recorded in the model; training never reads the clock (default null) */
  trainedAt?: string | null;
};

export type TrainClassifierResult =
  | { model: ClassifierModel; problem: null }
  | { model: null; problem: { code: 'CLASSIFIER_NO_EXAMPLES' | 'CLASSIFIER_ONE_CATEGORY'; message: string } };

/** At or above this many examples, calibrate on one held-out tenth; below, by cross-fitting. */
export const LARGE_TRAINING_SET = 2000;
const HELD_OUT_FOLDS = 10;
const SMALL_SET_CALIBRATION_FOLDS = 5;
/** Below this many examples no temperature is fitted. */
export const MIN_EXAMPLES_TO_CALIBRATE = 20;
/**
 * Below this many examples every feature is kept (minimum document frequency 1): pruning features
 * seen once is for noise and size on large sets, and on a handful of examples it would prune nearly
 * everything.
 */
export const KEEP_RARE_FEATURES_BELOW = 1000;

type Settings = { features: FeatureOptions; svm: LinearSvmOptions };

/** Passes over all examples when the final model continues from the calibration model. */
export const DEFAULT_WARM_START_PASSES = 2;

type Weights = Pick<ClassifierModel, 'weights' | 'weightScales' | 'bias'>;

type Problem = {
  matrix: SparseMatrix;
  labels: Int32Array;
  categories: string[];
  settings: Settings;
};

const quantized = (svm: LinearWeights): Weights => ({ ...quantizeWeights(svm.weights, svm.categories), bias: svm.bias });

const fitRows = (problem: Problem, rows: number[]): LinearWeights & { alpha: Float64Array } =>
  fitOneVsRestSvm(
    selectRows(problem.matrix, rows),
    Int32Array.from(rows, (i) => problem.labels[i]),
    problem.categories.length,
    problem.settings.svm,
  );

type HeldOut = { margins: Float64Array[]; labels: Int32Array; warmStart: SvmWarmStart | null };

// Margins of messages each produced by a model that did not train on them. For a large set the one
// calibration model's dual variables are kept, to warm-start the final model.
const heldOutMargins = (problem: Problem, examples: LabeledExample[]): HeldOut => {
  const large = examples.length >= LARGE_TRAINING_SET;
  const folds = large ? HELD_OUT_FOLDS : SMALL_SET_CALIBRATION_FOLDS;
  const foldOf = assignStratifiedFolds(examples, folds, problem.settings.svm.seed);
  const margins: Float64Array[] = [];
  const heldLabels: number[] = [];
  let warmStart: SvmWarmStart | null = null;
  for (let fold = 0; fold < (large ? 1 : folds); fold++) {
    const train: number[] = [];
    const held: number[] = [];
    foldOf.forEach((f, i) => (f === fold ? held : train).push(i));
    if (held.length === 0) continue;
    const svm = fitRows(problem, train);
    const weights = quantized(svm);
    for (const i of held) {
      margins.push(computeMargins(weights, rowOf(problem.matrix, i), new Float64Array(problem.categories.length)));
      heldLabels.push(problem.labels[i]);
    }
    if (large) {
      const added = new Uint8Array(problem.matrix.rows);
      for (const i of held) added[i] = 1;
      warmStart = { alpha: spreadAlpha(svm.alpha, train, problem.matrix.rows, problem.categories.length), added };
    }
  }
  return { margins, labels: Int32Array.from(heldLabels), warmStart };
};

// Dual variables of a fit on `rows` → the same for all rows (zeros for the rows it did not have).
const spreadAlpha = (alpha: Float64Array, rows: number[], total: number, categories: number): Float64Array => {
  const spread = new Float64Array(categories * total);
  for (let c = 0; c < categories; c++) {
    for (let k = 0; k < rows.length; k++) spread[c * total + rows[k]] = alpha[c * rows.length + k];
  }
  return spread;
};

const calibrate = (
  problem: Problem,
  examples: LabeledExample[],
): { calibration: CalibrationSummary; warmStart: SvmWarmStart | null } => {
  if (examples.length < MIN_EXAMPLES_TO_CALIBRATE) {
    const reason = `${examples.length} examples; at least ${MIN_EXAMPLES_TO_CALIBRATE} are needed to calibrate`;
    return { calibration: { method: 'none', temperature: 1, reason }, warmStart: null };
  }
  const held = heldOutMargins(problem, examples);
  const fit = fitTemperature(held.margins, held.labels);
  const correct = held.margins.filter((row, i) => argMax(row) === held.labels[i]).length;
  return {
    calibration: {
      method: 'temperature',
      temperature: fit.temperature,
      heldOut: held.margins.length,
      heldOutAccuracy: correct / held.margins.length,
      logLossBefore: fit.logLossBefore,
      logLossAfter: fit.logLossAfter,
      limitedByEvidence: fit.limitedByEvidence,
    },
    warmStart: held.warmStart,
  };
};

const checkExamples = (examples: LabeledExample[]): void => {
  examples.forEach((example, i) => {
    if (typeof example?.text !== 'string' || typeof example.category !== 'string' || example.category === '') {
      throw new ClassifierError(
        'CLASSIFIER_BAD_OPTIONS',
        `example ${i} needs a string text and a non-empty category`,
        'Every labeled example needs a text and a category.',
      );
    }
  });
};

const badOption = (message: string): ClassifierError =>
  new ClassifierError('CLASSIFIER_BAD_OPTIONS', message, `The training options are invalid: ${message}.`);

const checkSettings = (
  features: Partial<FeatureOptions> | undefined,
  svm: Partial<Omit<LinearSvmOptions, 'seed'>> | undefined,
  seed: number,
  warmStartPasses: number,
): Settings => {
  const parsed = featureOptionsSchema.safeParse({ ...DEFAULT_FEATURE_OPTIONS, ...features });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw badOption(`features.${issue?.path.join('.')}: ${issue?.message}`);
  }
  const svmOptions = { ...DEFAULT_LINEAR_SVM_OPTIONS, ...svm, seed };
  if (!(svmOptions.cost > 0)) throw badOption(`svm.cost must be > 0, got ${svmOptions.cost}`);
  if (!(svmOptions.tolerance > 0)) throw badOption(`svm.tolerance must be > 0, got ${svmOptions.tolerance}`);
  if (!Number.isInteger(svmOptions.maxPasses) || svmOptions.maxPasses < 1) {
    throw badOption(`svm.maxPasses must be an integer ≥ 1, got ${svmOptions.maxPasses}`);
  }
  if (!Number.isInteger(warmStartPasses) || warmStartPasses < 1) {
    throw badOption(`warmStartPasses must be an integer ≥ 1, got ${warmStartPasses}`);
  }
  if (!Number.isInteger(seed)) throw badOption(`seed must be an integer, got ${seed}`);
  return { features: parsed.data, svm: svmOptions };
};

/**
 * Trains a calibrated classifier from labeled examples.
 *
 * @returns the model, or `model: null` with a problem code when there is nothing to learn
 *   (no examples, or a single category): a cold start, not a failure.
 * @throws ClassifierError `CLASSIFIER_BAD_OPTIONS` for an example without text or category, or
 *   options out of range.
 */
export const trainClassifier = ({
  examples,
  seed = 1,
  features,
  svm,
  trainedAt = null,
  warmStartPasses = DEFAULT_WARM_START_PASSES,
}: TrainClassifierOptions): TrainClassifierResult => {
  checkExamples(examples);
  const settings = checkSettings(features, svm, seed, warmStartPasses);
  if (examples.length === 0) {
    return { model: null, problem: { code: 'CLASSIFIER_NO_EXAMPLES', message: CLASSIFIER_ERROR_CODES.CLASSIFIER_NO_EXAMPLES } };
  }
  // A Map, not an object: a category may be called "__proto__" or "constructor".
  const perCategory = new Map<string, number>();
  for (const example of examples) perCategory.set(example.category, (perCategory.get(example.category) ?? 0) + 1);
  const categories = [...perCategory.keys()].sort();
  const examplesPerCategory = Object.fromEntries(categories.map((category) => [category, perCategory.get(category) ?? 0]));
  if (categories.length < 2) {
    return { model: null, problem: { code: 'CLASSIFIER_ONE_CATEGORY', message: CLASSIFIER_ERROR_CODES.CLASSIFIER_ONE_CATEGORY } };
  }
  if (features?.minDocumentFrequency === undefined && examples.length < KEEP_RARE_FEATURES_BELOW) {
    settings.features.minDocumentFrequency = 1;
  }
  const indexOf = new Map(categories.map((category, i) => [category, i]));
  const labels = Int32Array.from(examples, (example) => indexOf.get(example.category) ?? -1);
  const counts = examples.map((example) => countFeatures(example.text, settings.features));
  const space = buildFeatureSpace(counts, settings.features);
  const matrix = toSparseMatrix(counts.map((c) => vectorizeCounts(c, space)), space.hashes.length);
  const problem: Problem = { matrix, labels, categories, settings };

  const { calibration, warmStart } = calibrate(problem, examples);
  const finalSvm = warmStart
    ? fitOneVsRestSvm(matrix, labels, categories.length, { ...settings.svm, maxPasses: warmStartPasses }, warmStart)
    : fitOneVsRestSvm(matrix, labels, categories.length, settings.svm);
  const fitted = { categories, features: space, ...quantized(finalSvm) };
  const version = computeModelVersion({
    ...fitted,
    temperature: calibration.temperature,
    hashes: space.hashes,
    idf: space.idf,
    featureOptions: space.options,
  });
  return {
    model: {
      ...fitted,
      version,
      temperature: calibration.temperature,
      calibration,
      training: { examples: examples.length, examplesPerCategory, seed, trainedAt },
    },
    problem: null,
  };
};
