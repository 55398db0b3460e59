/**
 * The classifier's public surface, for intake, the API and the CLI. Everything here is pure except
 * saveModel / loadModel / loadExamples (files).
 */
export { classifyText, classifyProbabilities, TOP_CATEGORIES, type ClassifyTextOptions } from './classify-text.js';
export {
  trainClassifier,
  LARGE_TRAINING_SET,
  MIN_EXAMPLES_TO_CALIBRATE,
  type TrainClassifierOptions,
  type TrainClassifierResult,
} from './train-classifier.js';
export {
  evaluateClassifier,
  DEFAULT_THRESHOLDS,
  type EvaluateClassifierOptions,
  type EvaluationReport,
} from './evaluate-classifier.js';
export { saveModel, loadModel, type SaveModelOptions, type LoadModelOptions } from './persist-model.js';
export { encodeModel, decodeModel, MODEL_FORMAT } from './model-codec.js';
export {
  loadExamples,
  parseExamples,
  detectExamplesFormat,
  type ExamplesFormat,
  type ExampleProblem,
  type ParsedExamples,
} from './load-examples.js';
export { chooseModel, measureAccuracy, type ChooseModelOptions, type ModelChoice } from './compare-models.js';
export { splitExamples, type SplitExamplesOptions } from './split-examples.js';
export { composeMessageText, type ComposeMessageTextOptions } from './compose-message-text.js';
export { ClassifierError, CLASSIFIER_ERROR_CODES, type ClassifierErrorCode } from './classifier-error.js';
export type { ClassifierModel, CalibrationSummary, TrainingSummary } from './classifier-model.js';
export type { LabeledExample } from './labeled-example.js';
