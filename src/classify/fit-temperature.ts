/**
 * Temperature scaling (Guo et al. 2017): one number T so that softmax(margins / T) gives probabilities
 * whose confidence matches accuracy on messages the model did not train on.
 *
 * Why temperature and not per-category Platt scaling: it has one parameter, so a few hundred held-out
 * messages fit it without over-fitting even with 77 categories; it never changes which category ranks
 * first; and SVM margins of all categories live on one scale (they were trained with one cost C), so a
 * shared T is enough. The negative log-likelihood is convex in 1/T, hence unimodal in ln T, and a
 * golden-section search over ln T ∈ [ln 0.001, ln 1000] finds the minimum deterministically.
 *
 * Inputs: held-out margins (one Float64Array per message) and true category indices.
 * Output: T and the log-loss before (T = 1) and after.
 */
export type TemperatureFit = { temperature: number; logLossBefore: number; logLossAfter: number };

const MIN_LOG_TEMPERATURE = Math.log(0.001);
const MAX_LOG_TEMPERATURE = Math.log(1000);
const SEARCH_STEPS = 80;
const GOLDEN = (Math.sqrt(5) - 1) / 2;

/** Mean negative log-likelihood of the true categories under softmax(margins / temperature). */
export const logLoss = (margins: Float64Array[], labels: ArrayLike<number>, temperature: number): number => {
  let total = 0;
  for (let i = 0; i < margins.length; i++) {
    const row = margins[i];
    let max = -Infinity;
    for (let c = 0; c < row.length; c++) if (row[c] > max) max = row[c];
    let sum = 0;
    for (let c = 0; c < row.length; c++) sum += Math.exp((row[c] - max) / temperature);
    total += Math.log(sum) - (row[labels[i]] - max) / temperature;
  }
  return total / margins.length;
};

/** Finds the temperature that minimises held-out log-loss. */
export const fitTemperature = (margins: Float64Array[], labels: ArrayLike<number>): TemperatureFit => {
  const loss = (logT: number): number => logLoss(margins, labels, Math.exp(logT));
  let low = MIN_LOG_TEMPERATURE;
  let high = MAX_LOG_TEMPERATURE;
  let a = high - GOLDEN * (high - low);
  let b = low + GOLDEN * (high - low);
  let lossA = loss(a);
  let lossB = loss(b);
  for (let step = 0; step < SEARCH_STEPS; step++) {
    if (lossA <= lossB) {
      high = b;
      b = a;
      lossB = lossA;
      a = high - GOLDEN * (high - low);
      lossA = loss(a);
    } else {
      low = a;
      a = b;
      lossA = lossB;
      b = low + GOLDEN * (high - low);
      lossB = loss(b);
    }
  }
  const temperature = Math.exp((low + high) / 2);
  return { temperature, logLossBefore: logLoss(margins, labels, 1), logLossAfter: logLoss(margins, labels, temperature) };
};
