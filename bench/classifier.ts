/**
 * Classifier benchmark: Mailroom's classifier against natural's BayesClassifier (Porter stemmer) on
 * the same stratified folds of Banking77, in the same run.
 *
 *   npx tsx bench/classifier.ts [--folds 5] [--bayes-budget-seconds 300] [--json]
 *
 * Data: ../shared/data/banking77/train.csv relative to the repository root (CSV with text,category).
 * When it is absent the benchmark says so and exits 0.
 *
 * Prints, for Mailroom: accuracy, macro-F1, training seconds per fold, training seconds of one full
 * model on all examples, classify latency p50/p99, model file size, the calibration table, peak RSS;
 * for Bayes: accuracy, macro-F1 (on the folds it had time for), training seconds, latency; and the
 * ratio of the two on the same folds. Bayes runs fold after fold until its time budget is spent, and
 * the output says on how many folds it ran.
 */
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { evaluateClassifier, type EvaluationReport } from '../src/classify/evaluate-classifier.js';
import { loadExamples } from '../src/classify/load-examples.js';
import { encodeModel } from '../src/classify/model-codec.js';
import { natural } from '../src/classify/natural.js';
import { assignStratifiedFolds } from '../src/classify/stratified-folds.js';
import { trainClassifier } from '../src/classify/train-classifier.js';
import type { LabeledExample } from '../src/classify/labeled-example.js';

const SEED = 1;
const repoRoot = resolve(import.meta.dirname, '..');
const dataPath = resolve(repoRoot, '../shared/data/banking77/train.csv');

const { values: args } = parseArgs({
  options: {
    folds: { type: 'string', default: '5' },
    'bayes-budget-seconds': { type: 'string', default: '300' },
    json: { type: 'boolean', default: false },
  },
});
const folds = Number(args.folds);
const bayesBudgetSeconds = Number(args['bayes-budget-seconds']);

const peakRssMb = (): number => process.resourceUsage().maxRSS / 1024;
const cpuSeconds = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};
// Wall-clock figures on a shared machine depend on what else runs: the load average says how much.
const load = (): string => loadavg().map((x) => x.toFixed(1)).join(' ');
const percent = (x: number): string => `${(x * 100).toFixed(2)}%`;
const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];

type BayesResult = {
  foldsRun: number;
  accuracy: number;
  macroF1: number;
  trainingSeconds: number[];
  classifyMs: { p50: number; p99: number };
  correctPerFold: number[];
};

const macroF1 = (pairs: Array<[string, string]>): number => {
  const categories = new Set(pairs.flat());
  let sum = 0;
  for (const category of categories) {
    const tp = pairs.filter(([a, p]) => a === category && p === category).length;
    const predicted = pairs.filter(([, p]) => p === category).length;
    const actual = pairs.filter(([a]) => a === category).length;
    const precision = predicted === 0 ? 0 : tp / predicted;
    const recall = actual === 0 ? 0 : tp / actual;
    sum += precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  }
  return sum / categories.size;
};

const runBayes = (examples: LabeledExample[], foldOf: Int32Array): BayesResult => {
  const started = performance.now();
  const pairs: Array<[string, string]> = [];
  const trainingSeconds: number[] = [];
  const latencies: number[] = [];
  const correctPerFold: number[] = [];
  for (let fold = 0; fold < folds; fold++) {
    if (fold > 0 && (performance.now() - started) / 1000 > bayesBudgetSeconds) break;
    const classifier = new natural.BayesClassifier(natural.PorterStemmer);
    const trainStarted = performance.now();
    examples.forEach((example, i) => {
      if (foldOf[i] !== fold) classifier.addDocument(example.text, example.category);
    });
    classifier.train();
    trainingSeconds.push((performance.now() - trainStarted) / 1000);
    let correct = 0;
    examples.forEach((example, i) => {
      if (foldOf[i] !== fold) return;
      const before = performance.now();
      const predicted = classifier.classify(example.text);
      latencies.push(performance.now() - before);
      pairs.push([example.category, predicted]);
      if (predicted === example.category) correct++;
    });
    correctPerFold.push(correct);
  }
  latencies.sort((a, b) => a - b);
  return {
    foldsRun: correctPerFold.length,
    accuracy: pairs.filter(([a, p]) => a === p).length / pairs.length,
    macroF1: macroF1(pairs),
    trainingSeconds,
    classifyMs: { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) },
    correctPerFold,
  };
};

let loadAtStart = '';

const printReport = (
  examples: number,
  report: EvaluationReport,
  full: { seconds: number; cpuSeconds: number; bytes: number; version: string },
  rssAfterOurs: number,
  bayes: BayesResult,
  oursOnBayesFolds: number,
  rssAfterBayes: number,
): void => {
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const lines = [
    `Banking77 train.csv: ${examples} examples, ${report.perCategory.length} categories, ${report.folds}-fold stratified CV (seed ${SEED})`,
    `load average at start ${loadAtStart}, at end ${load()} (2 cores: wall-clock times stretch with it)`,
    '',
    'Mailroom classifier (hashed word 1-2-grams + stem pairs + char_wb 2-5-grams, one-vs-rest linear SVM, temperature-calibrated)',
    `  accuracy            ${percent(report.accuracy)}   (folds: ${report.foldAccuracy.map(percent).join(', ')})`,
    `  macro-F1            ${percent(report.macroF1)}`,
    `  training s / fold   ${report.trainingSeconds.map((s) => s.toFixed(1)).join(', ')}   (mean ${mean(report.trainingSeconds).toFixed(1)})`,
    `  full model          ${full.seconds.toFixed(1)} s (${full.cpuSeconds.toFixed(1)} s CPU) to train on all ${examples} examples, ${(full.bytes / 1024 / 1024).toFixed(2)} MB file (${full.version})`,
    `  classify latency    p50 ${report.classifyMs.p50.toFixed(3)} ms   p99 ${report.classifyMs.p99.toFixed(3)} ms`,
    `  model file / fold   ${(mean(report.modelBytes) / 1024 / 1024).toFixed(2)} MB`,
    `  calibration (ECE ${percent(report.expectedCalibrationError)}): threshold → coverage / accuracy of messages at or above it`,
    ...report.calibration
      .filter((row) => [0.3, 0.5, 0.7, 0.8, 0.9, 0.95].includes(row.threshold))
      .map((row) => `    ≥ ${row.threshold.toFixed(2)}   ${percent(row.coverage)} / ${row.accuracy === null ? '—' : percent(row.accuracy)}`),
    `  most confused       ${report.confusedPairs
      .slice(0, 3)
      .map((p) => `${p.actual} → ${p.predicted} (${p.count})`)
      .join('; ')}`,
    `  peak RSS            ${rssAfterOurs.toFixed(0)} MB`,
    '',
    `natural BayesClassifier + PorterStemmer (${bayes.foldsRun} of ${report.folds} folds${
      bayes.foldsRun < report.folds ? `: time budget ${bayesBudgetSeconds} s spent` : ''
    })`,
    `  accuracy            ${percent(bayes.accuracy)}`,
    `  macro-F1            ${percent(bayes.macroF1)}`,
    `  training s / fold   ${bayes.trainingSeconds.map((s) => s.toFixed(1)).join(', ')}`,
    `  classify latency    p50 ${bayes.classifyMs.p50.toFixed(3)} ms   p99 ${bayes.classifyMs.p99.toFixed(3)} ms`,
    `  peak RSS (process)  ${rssAfterBayes.toFixed(0)} MB`,
    '',
    `side by side on the same ${bayes.foldsRun} fold(s): Mailroom ${percent(oursOnBayesFolds)} vs Bayes ${percent(
      bayes.accuracy,
    )} — accuracy ratio ${(oursOnBayesFolds / bayes.accuracy).toFixed(3)}, error ratio ${(
      (1 - bayes.accuracy) /
      (1 - oursOnBayesFolds)
    ).toFixed(2)}× fewer errors; classify p50 ${(bayes.classifyMs.p50 / report.classifyMs.p50).toFixed(1)}× faster`,
  ];
  console.log(lines.join('\n'));
};

const main = async (): Promise<void> => {
  if (!existsSync(dataPath)) {
    console.log(`bench/classifier: ${dataPath} is absent; nothing to measure (skipped).`);
    return;
  }
  loadAtStart = load();
  const { examples, problems } = await loadExamples({ path: dataPath });
  if (problems.length > 0) console.log(`${problems.length} unusable rows in ${dataPath}, first: line ${problems[0].line}: ${problems[0].message}`);

  const report = evaluateClassifier({ examples, folds, training: { seed: SEED }, clock: () => performance.now() });
  const fullStarted = performance.now();
  const fullCpuStarted = cpuSeconds();
  const { model } = trainClassifier({ examples, seed: SEED });
  const fullSeconds = (performance.now() - fullStarted) / 1000;
  const fullCpuSeconds = cpuSeconds() - fullCpuStarted;
  if (model === null) throw new Error('the full model could not be trained');
  const full = { seconds: fullSeconds, cpuSeconds: fullCpuSeconds, bytes: encodeModel(model).length, version: model.version };
  const rssAfterOurs = peakRssMb();

  // The same stratified folds evaluateClassifier used (same examples, count and seed).
  const foldOf = assignStratifiedFolds(examples, folds, SEED);
  const bayes = runBayes(examples, foldOf);
  const rssAfterBayes = peakRssMb();
  const testSizes = Array.from({ length: bayes.foldsRun }, (_, fold) => foldOf.filter((f) => f === fold).length);
  const oursCorrect = testSizes.reduce((sum, size, fold) => sum + report.foldAccuracy[fold] * size, 0);
  const oursOnBayesFolds = oursCorrect / testSizes.reduce((a, b) => a + b, 0);

  if (args.json) {
    const { perCategory, ...summary } = report;
    console.log(
      JSON.stringify(
        {
          examples: examples.length,
          loadAverage: { start: loadAtStart, end: load() },
          mailroom: { ...summary, fullModel: full, peakRssMb: rssAfterOurs },
          bayes,
          oursOnBayesFolds,
          peakRssMb: rssAfterBayes,
        },
        null,
        2,
      ),
    );
    return;
  }
  printReport(examples.length, report, full, rssAfterOurs, bayes, oursOnBayesFolds, rssAfterBayes);
};

await main();
