/**
 * `mailroom classify-eval`: measures the classifier on labeled examples, either on a fixed split
 * (`--train A --test B`) or by k-fold cross-validation (`--data FILE --folds 5`). Prints accuracy,
 * macro-F1, precision and recall per category, the most confused pairs, the calibration table (the
 * share of messages at or above each confidence threshold, and their accuracy: what a supervisor
 * picks MAILROOM_CLASSIFIER_THRESHOLD from), training seconds and classify latency p50/p99.
 *
 * Exit codes: 0 measured; 1 the data cannot be evaluated (unreadable file, a fold with one
 * category, …); 2 usage.
 */
import { parseArgs } from 'node:util';
import { ClassifierError } from '../../classify/classifier-error.js';
import { evaluateClassifier, type EvaluationReport } from '../../classify/evaluate-classifier.js';
import { loadExamples } from '../../classify/load-examples.js';
import type { Command } from '../command.js';
import { reportProblems, type CommandIo } from './train.js';

const USAGE = `usage: mailroom classify-eval --train A --test B [options]
       mailroom classify-eval --data FILE [--folds 5] [options]

  Measures the message classifier on labeled examples (CSV with "text" and "category", or JSONL).

options:
  --train FILE --test FILE   train on one file, test on the other
  --data FILE                k-fold cross-validation (stratified) on one file
  --folds N                  folds for --data (default 5)
  --seed N                   seed of the folds and of training (default 1)
  --json                     print the full report as JSON
`;

const processIo: CommandIo = { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) };

const percent = (x: number | null): string => (x === null ? '    —' : `${(x * 100).toFixed(1).padStart(5)}%`);

/** The report as text, for the terminal. */
export const formatEvaluationReport = (report: EvaluationReport): string => {
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const width = Math.max(8, ...report.perCategory.map((c) => c.category.length));
  const lines = [
    report.method === 'cross-validation'
      ? `${report.folds}-fold cross-validation, ${report.tested} messages tested`
      : `train/test split, ${report.tested} messages tested`,
    `accuracy      ${percent(report.accuracy)}${report.folds > 1 ? `   (folds: ${report.foldAccuracy.map((a) => percent(a).trim()).join(', ')})` : ''}`,
    `macro-F1      ${percent(report.macroF1)}`,
    `training      ${report.trainingSeconds.map((s) => s.toFixed(1)).join(', ')} s${report.folds > 1 ? ` (mean ${mean(report.trainingSeconds).toFixed(1)})` : ''}`,
    `classify      p50 ${report.classifyMs.p50.toFixed(3)} ms, p99 ${report.classifyMs.p99.toFixed(3)} ms`,
    `model file    ${(mean(report.modelBytes) / 1024 / 1024).toFixed(2)} MB`,
    '',
    `calibration (expected calibration error ${percent(report.expectedCalibrationError).trim()}):`,
    '  threshold  coverage  accuracy',
    ...report.calibration.map((row) => `  ≥ ${row.threshold.toFixed(2)}     ${percent(row.coverage)}    ${percent(row.accuracy)}`),
    '',
    'most confused (actual → predicted):',
    ...(report.confusedPairs.length === 0
      ? ['  none']
      : report.confusedPairs.map((p) => `  ${String(p.count).padStart(4)}  ${p.actual} → ${p.predicted}`)),
    '',
    `  ${'category'.padEnd(width)}  precision  recall     F1  support`,
    ...report.perCategory.map(
      (c) => `  ${c.category.padEnd(width)}     ${percent(c.precision)}  ${percent(c.recall)} ${percent(c.f1)}  ${String(c.support).padStart(7)}`,
    ),
    '',
  ];
  return lines.join('\n');
};

/** Runs `mailroom classify-eval`; returns the exit code. */
export const runClassifyEvalCommand = async (argv: string[], io: CommandIo = processIo): Promise<number> => {
  let values: { train?: string; test?: string; data?: string; folds?: string; seed?: string; json?: boolean; help?: boolean };
  let folds: number;
  let seed: number;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        train: { type: 'string' },
        test: { type: 'string' },
        data: { type: 'string' },
        folds: { type: 'string' },
        seed: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
    if (values.help) {
      io.out(USAGE);
      return 0;
    }
    const split = values.train !== undefined || values.test !== undefined;
    if (split && values.data !== undefined) throw new TypeError('use either --train/--test or --data, not both');
    if (split && (values.train === undefined || values.test === undefined)) throw new TypeError('--train and --test go together');
    if (!split && values.data === undefined) throw new TypeError('give --train A --test B, or --data FILE');
    if (split && values.folds !== undefined) throw new TypeError('--folds goes with --data');
    folds = Number(values.folds ?? '5');
    seed = Number(values.seed ?? '1');
    if (!Number.isInteger(folds) || folds < 2) throw new TypeError(`--folds must be an integer ≥ 2, not "${values.folds}"`);
    if (!Number.isInteger(seed)) throw new TypeError(`--seed must be an integer, not "${values.seed}"`);
  } catch (error) {
    io.err(`mailroom classify-eval: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }

  try {
    const clock = () => performance.now();
    const training = { seed, trainedAt: null };
    let report: EvaluationReport;
    const problems: Record<string, unknown> = {};
    if (values.data !== undefined) {
      const data = await loadExamples({ path: values.data });
      problems[values.data] = data.problems;
      if (!values.json) reportProblems(io, values.data, data.problems);
      report = evaluateClassifier({ examples: data.examples, folds, training, clock });
    } else {
      const [train, test] = await Promise.all([loadExamples({ path: values.train! }), loadExamples({ path: values.test! })]);
      problems[values.train!] = train.problems;
      problems[values.test!] = test.problems;
      if (!values.json) {
        reportProblems(io, values.train!, train.problems);
        reportProblems(io, values.test!, test.problems);
      }
      report = evaluateClassifier({ train: train.examples, test: test.examples, training, clock });
    }
    io.out(values.json ? `${JSON.stringify({ ...report, unusableRows: problems }, null, 2)}\n` : formatEvaluationReport(report));
    return 0;
  } catch (error) {
    if (error instanceof ClassifierError) {
      io.err(`mailroom classify-eval: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
};

export const command: Command = {
  name: 'classify-eval',
  summary: 'Measure the classifier: accuracy, macro-F1, per category, confusions, calibration, speed',
  run: (argv) => runClassifyEvalCommand(argv),
};
