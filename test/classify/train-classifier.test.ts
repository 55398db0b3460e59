import { describe, expect, it } from 'vitest';
import { classifyText } from '../../src/classify/classify-text.js';
import { ClassifierError } from '../../src/classify/classifier-error.js';
import { trainClassifier, MIN_EXAMPLES_TO_CALIBRATE } from '../../src/classify/train-classifier.js';
import type { ClassifierModel } from '../../src/classify/classifier-model.js';
import { toyExamples, unseenToyTexts } from './toy-examples.js';

const trainToy = (perTopic = 30, seed = 1): ClassifierModel => {
  const { model, problem } = trainClassifier({ examples: toyExamples(perTopic), seed });
  if (model === null) throw new Error(`training failed: ${problem.message}`);
  return model;
};

describe('trainClassifier + classifyText', () => {
  const model = trainToy();

  it('learns a separable set: unseen texts get their topic', () => {
    for (const { text, category } of unseenToyTexts) {
      expect(classifyText({ model, text, threshold: 0 })?.category).toBe(category);
    }
  });

  it('reports top 3 probabilities in descending order, each in 0..1, and the model version', () => {
    const result = classifyText({ model, text: unseenToyTexts[0].text, threshold: 0 });
    expect(result).not.toBeNull();
    const top = result!.top;
    expect(top).toHaveLength(3);
    expect(new Set(top.map((t) => t.category))).toEqual(new Set(['billing', 'shipping', 'login']));
    for (let i = 1; i < top.length; i++) expect(top[i - 1].probability).toBeGreaterThanOrEqual(top[i].probability);
    for (const t of top) {
      expect(t.probability).toBeGreaterThanOrEqual(0);
      expect(t.probability).toBeLessThanOrEqual(1);
    }
    // Three categories: the top three are all of them, so they carry all the probability.
    expect(top.reduce((sum, t) => sum + t.probability, 0)).toBeCloseTo(1, 10);
    expect(result!.confidence).toBe(top[0].probability);
    expect(result!.modelVersion).toBe(model.version);
    expect(model.version).toMatch(/^clf-[0-9a-f]{16}$/);
  });

  it('gives a null category below the threshold, and keeps the scores', () => {
    const text = 'hello, I have a question';
    const open = classifyText({ model, text, threshold: 0 })!;
    expect(open.category).not.toBeNull();
    const strict = classifyText({ model, text, threshold: Math.min(1, open.confidence + 1e-9) })!;
    expect(strict.category).toBeNull();
    expect(strict.confidence).toBe(open.confidence);
    expect(strict.top).toEqual(open.top);
    expect(strict.threshold).toBeCloseTo(open.confidence, 6);
  });

  it('is less sure of an off-topic text than of an on-topic one', () => {
    const onTopic = classifyText({ model, text: unseenToyTexts[1].text, threshold: 0 })!;
    const offTopic = classifyText({ model, text: 'the weather is nice today', threshold: 0 })!;
    expect(offTopic.confidence).toBeLessThan(onTopic.confidence);
  });

  it('calibrates a temperature from held-out messages and records it', () => {
    expect(model.calibration.method).toBe('temperature');
    if (model.calibration.method === 'temperature') {
      expect(model.calibration.heldOut).toBe(90);
      expect(model.calibration.logLossAfter).toBeLessThanOrEqual(model.calibration.logLossBefore);
      expect(model.temperature).toBe(model.calibration.temperature);
    }
    expect(model.training.examples).toBe(90);
    expect(model.training.examplesPerCategory).toEqual({ billing: 30, login: 30, shipping: 30 });
  });

  it('is deterministic: same examples and seed give the same version and the same weights', () => {
    const again = trainToy();
    expect(again.version).toBe(model.version);
    expect(Buffer.from(again.weights.buffer).equals(Buffer.from(model.weights.buffer))).toBe(true);
  });

  it('does not calibrate on too few examples, and says why', () => {
    const { model: tiny } = trainClassifier({ examples: toyExamples(3) });
    expect(tiny).not.toBeNull();
    expect(9).toBeLessThan(MIN_EXAMPLES_TO_CALIBRATE);
    expect(tiny!.calibration).toMatchObject({ method: 'none', temperature: 1 });
  });

  it('classifies texts in other scripts and empty texts without failing', () => {
    for (const text of ['', '   ', 'Rückerstattung für die Rechnung', '請退款', '🙂🙂']) {
      const result = classifyText({ model, text, threshold: 0.5 });
      expect(result).not.toBeNull();
      expect(result!.top.reduce((sum, t) => sum + t.probability, 0)).toBeCloseTo(1, 10);
    }
  });
});

describe('cold start', () => {
  it('returns no model, with the reason, when there are no examples', () => {
    const result = trainClassifier({ examples: [] });
    expect(result.model).toBeNull();
    expect(result.problem?.code).toBe('CLASSIFIER_NO_EXAMPLES');
  });

  it('returns no model when every example has the same category', () => {
    const result = trainClassifier({ examples: toyExamples(5).filter((e) => e.category === 'billing') });
    expect(result.model).toBeNull();
    expect(result.problem?.code).toBe('CLASSIFIER_ONE_CATEGORY');
  });

  it('classifies to null when there is no model', () => {
    expect(classifyText({ model: null, text: 'anything', threshold: 0.5 })).toBeNull();
  });

  it('trains on the smallest useful set: two categories, one example each', () => {
    const { model } = trainClassifier({
      examples: [
        { text: 'refund my invoice', category: 'billing' },
        { text: 'parcel not delivered', category: 'shipping' },
      ],
    });
    expect(model).not.toBeNull();
    expect(classifyText({ model, text: 'refund my invoice', threshold: 0 })?.category).toBe('billing');
  });

  it('refuses an example without a category with a clear error', () => {
    expect(() => trainClassifier({ examples: [{ text: 'x', category: '' }] })).toThrow(ClassifierError);
  });

  it('refuses training options out of range with a clear error', () => {
    const examples = toyExamples(3);
    expect(() => trainClassifier({ examples, features: { maxCharNgram: -1 } })).toThrow(/features\.maxCharNgram/);
    expect(() => trainClassifier({ examples, svm: { cost: 0 } })).toThrow(/svm\.cost must be > 0/);
    expect(() => trainClassifier({ examples, svm: { maxPasses: 0.5 } })).toThrow(ClassifierError);
    expect(() => trainClassifier({ examples: [], seed: 1.5 })).toThrow(/seed must be an integer/);
  });

  it('refuses a threshold outside 0..1', () => {
    expect(() => classifyText({ model: null, text: 'x', threshold: 1.5 })).toThrow(/threshold/);
    expect(() => classifyText({ model: null, text: 'x', threshold: Number.NaN })).toThrow(ClassifierError);
  });
});
