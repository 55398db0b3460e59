import { describe, expect, it } from 'vitest';
import { ClassifierError } from '../../src/classify/classifier-error.js';
import { evaluateClassifier } from '../../src/classify/evaluate-classifier.js';
import { toyExamples, unseenToyTexts } from './toy-examples.js';

// A fake clock that advances 1 ms per reading: latencies and training times are then exact counts.
const tickingClock = () => {
  let now = 0;
  return () => now++;
};

describe('evaluateClassifier', () => {
  it('cross-validates a separable set: high accuracy, every metric in range, folds stratified', () => {
    const report = evaluateClassifier({ examples: toyExamples(30), folds: 3, clock: tickingClock() });
    expect(report.method).toBe('cross-validation');
    expect(report.folds).toBe(3);
    expect(report.tested).toBe(90);
    expect(report.accuracy).toBeGreaterThan(0.9);
    expect(report.macroF1).toBeGreaterThan(0.9);
    expect(report.foldAccuracy).toHaveLength(3);
    expect(report.perCategory.map((c) => [c.category, c.support])).toEqual([
      ['billing', 30],
      ['login', 30],
      ['shipping', 30],
    ]);
    for (const c of report.perCategory) {
      for (const value of [c.precision, c.recall, c.f1]) expect(value).toBeGreaterThanOrEqual(0);
    }
    expect(report.trainingSeconds).toEqual([0.001, 0.001, 0.001]);
    expect(report.classifyMs).toEqual({ p50: 1, p99: 1, mean: 1 });
    expect(report.modelBytes.every((bytes) => bytes > 0)).toBe(true);
  });

  it('builds the calibration table: coverage falls as the threshold rises', () => {
    const report = evaluateClassifier({ examples: toyExamples(30), folds: 3, clock: tickingClock() });
    expect(report.calibration.map((row) => row.threshold)).toEqual([
      0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95,
    ]);
    expect(report.calibration[0].coverage).toBe(1); // three categories: the top one is always ≥ 1/3
    for (let i = 1; i < report.calibration.length; i++) {
      expect(report.calibration[i].coverage).toBeLessThanOrEqual(report.calibration[i - 1].coverage);
      expect(report.calibration[i].messages).toBe(Math.round(report.calibration[i].coverage * 90));
    }
  });

  it('computes precision, recall and confused pairs from a train/test split', () => {
    // Texts that say one topic, labeled another: every prediction is "wrong" in a known way.
    const test = unseenToyTexts.map(({ text }, i) => ({ text, category: unseenToyTexts[(i + 1) % 3].category }));
    const report = evaluateClassifier({ train: toyExamples(30), test, clock: tickingClock() });
    expect(report.method).toBe('train-test');
    expect(report.accuracy).toBe(0);
    expect(report.macroF1).toBe(0);
    expect(report.confusedPairs).toEqual([
      { actual: 'billing', predicted: 'login', count: 1 },
      { actual: 'login', predicted: 'shipping', count: 1 },
      { actual: 'shipping', predicted: 'billing', count: 1 },
    ]);
  });

  it('gives exact per-category figures on a hand-checkable split', () => {
    const test = [
      ...unseenToyTexts,
      { text: unseenToyTexts[0].text, category: 'shipping' }, // a billing text labeled shipping
    ];
    const report = evaluateClassifier({ train: toyExamples(30), test, clock: tickingClock() });
    expect(report.accuracy).toBe(0.75);
    const billing = report.perCategory.find((c) => c.category === 'billing')!;
    const shipping = report.perCategory.find((c) => c.category === 'shipping')!;
    expect(billing).toMatchObject({ precision: 0.5, recall: 1, support: 1 });
    expect(shipping).toMatchObject({ precision: 1, recall: 0.5, support: 2 });
  });

  it('refuses impossible splits with a clear error', () => {
    const clock = tickingClock();
    expect(() => evaluateClassifier({ examples: toyExamples(1), folds: 5, clock })).toThrow(/3 examples cannot be split into 5 folds/);
    expect(() => evaluateClassifier({ examples: toyExamples(5), folds: 1, clock })).toThrow(ClassifierError);
    expect(() => evaluateClassifier({ train: toyExamples(5), test: [], clock })).toThrow(/no test examples|empty/);
    const oneCategory = toyExamples(5).filter((e) => e.category === 'login');
    expect(() => evaluateClassifier({ train: oneCategory, test: unseenToyTexts, clock })).toThrow(/same category/);
  });
});
