import { describe, expect, it } from 'vitest';
import { chooseModel } from '../../src/classify/compare-models.js';
import type { ClassifierModel } from '../../src/classify/classifier-model.js';
import { splitExamples } from '../../src/classify/split-examples.js';
import { trainClassifier } from '../../src/classify/train-classifier.js';
import type { LabeledExample } from '../../src/classify/labeled-example.js';
import { toyExamples, unseenToyTexts } from './toy-examples.js';

const train = (examples: LabeledExample[]): ClassifierModel => {
  const { model } = trainClassifier({ examples });
  if (model === null) throw new Error('did not train');
  return model;
};

const { train: trainPart, heldOut } = splitExamples({ examples: toyExamples(30), heldOutFraction: 0.2 });
const good = train(trainPart);
// Billing and shipping labels swapped: wrong on two topics of three.
const swapped = train(
  trainPart.map((e) => ({
    ...e,
    category: e.category === 'billing' ? 'shipping' : e.category === 'shipping' ? 'billing' : e.category,
  })),
);

describe('splitExamples', () => {
  it('holds out about the requested share of each category, disjoint from the training part', () => {
    expect(heldOut).toHaveLength(18);
    expect(trainPart).toHaveLength(72);
    for (const category of ['billing', 'shipping', 'login']) {
      expect(heldOut.filter((e) => e.category === category)).toHaveLength(6);
    }
    const trainTexts = new Set(trainPart.map((e) => e.text));
    expect(heldOut.some((e) => trainTexts.has(e.text))).toBe(false);
  });
});

describe('chooseModel', () => {
  it('replaces a worse live model with the candidate and says by how much', () => {
    const choice = chooseModel({ current: swapped, candidate: good, heldOut });
    expect(choice.winner).toBe('candidate');
    expect(choice.candidateAccuracy).toBe(1);
    expect(choice.currentAccuracy).toBeCloseTo(1 / 3, 10);
    expect(choice.differencePoints).toBeCloseTo(200 / 3, 6);
    expect(choice.reason).toMatch(/replaces the live model/);
    expect(choice.candidateVersion).toBe(good.version);
    expect(choice.currentVersion).toBe(swapped.version);
  });

  it('keeps the live model when the candidate is worse', () => {
    const choice = chooseModel({ current: good, candidate: swapped, heldOut });
    expect(choice.winner).toBe('current');
    expect(choice.differencePoints).toBeCloseTo(-200 / 3, 6);
    expect(choice.reason).toMatch(/worse by 66\.7 points/);
  });

  it('lets a candidate that is exactly as good win (it has learned from newer corrections)', () => {
    const choice = chooseModel({ current: good, candidate: good, heldOut: unseenToyTexts });
    expect(choice.winner).toBe('candidate');
    expect(choice.differencePoints).toBe(0);
  });

  it('takes the candidate when there is no live model (cold start)', () => {
    const choice = chooseModel({ current: null, candidate: swapped, heldOut });
    expect(choice.winner).toBe('candidate');
    expect(choice.currentAccuracy).toBeNull();
    expect(chooseModel({ current: null, candidate: good, heldOut: [] }).winner).toBe('candidate');
  });

  it('keeps the live model when there is nothing to compare on', () => {
    const choice = chooseModel({ current: swapped, candidate: good, heldOut: [] });
    expect(choice.winner).toBe('current');
    expect(choice.reason).toMatch(/no held-out examples/);
  });
});
