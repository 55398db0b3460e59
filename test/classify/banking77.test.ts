/**
 * One check on real data, when it is there: Banking77 (../shared/data/banking77/train.csv relative to
 * the repository root), a fixed stratified 80/20 split, a modest accuracy floor. The benchmark
 * (bench/classifier.ts) measures the real figures; this only guards against a silent regression.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { measureAccuracy } from '../../src/classify/compare-models.js';
import { loadExamples } from '../../src/classify/load-examples.js';
import { splitExamples } from '../../src/classify/split-examples.js';
import { trainClassifier } from '../../src/classify/train-classifier.js';

const dataPath = resolve(import.meta.dirname, '../../../shared/data/banking77/train.csv');
const ACCURACY_FLOOR = 0.88;

describe.skipIf(!existsSync(dataPath))('Banking77 (fixed 80/20 split)', () => {
  it(`reaches at least ${ACCURACY_FLOOR * 100}% accuracy with calibrated confidence`, { timeout: 300_000 }, async () => {
    const { examples, problems } = await loadExamples({ path: dataPath });
    expect(problems).toEqual([]);
    const { train, heldOut } = splitExamples({ examples, heldOutFraction: 0.2, seed: 1 });
    const { model } = trainClassifier({ examples: train, seed: 1 });
    expect(model).not.toBeNull();
    expect(model!.categories).toHaveLength(77);
    expect(measureAccuracy(model!, heldOut)).toBeGreaterThanOrEqual(ACCURACY_FLOOR);
    expect(model!.calibration.method).toBe('temperature');
  });
});
