/**
 * Seeded, stratified assignment of examples to folds: each category's examples are shuffled and dealt
 * round-robin, continuing the count across categories, so folds have near-equal sizes and each
 * category is spread as evenly as its count allows. Used for cross-validation and for the held-out
 * messages that calibrate a model.
 */
import type { LabeledExample } from './labeled-example.js';
import { createRandom, shuffleInPlace } from './seeded-random.js';

/** fold[i] ∈ 0..folds-1 for example i. */
export const assignStratifiedFolds = (examples: LabeledExample[], folds: number, seed: number): Int32Array => {
  const byCategory = new Map<string, number[]>();
  examples.forEach((example, i) => {
    const members = byCategory.get(example.category);
    if (members) members.push(i);
    else byCategory.set(example.category, [i]);
  });
  const random = createRandom(seed);
  const fold = new Int32Array(examples.length);
  let dealt = 0;
  for (const category of [...byCategory.keys()].sort()) {
    for (const i of shuffleInPlace(byCategory.get(category) ?? [], random)) fold[i] = dealt++ % folds;
  }
  return fold;
};
