/**
 * Text → sparse feature vector, the same way at training and at classification time.
 *
 * Three groups of features, each tf-idf weighted and L2-normalised on its own, then weighted and
 * concatenated (like a scikit-learn FeatureUnion of three TfidfVectorizers):
 * - `word`: natural's RegexpTokenizer with a Unicode letter/digit pattern (natural's WordTokenizer is
 *   ASCII-only and would cut "Rückerstattung" in two), lower-cased, stemmed by natural's Porter
 *   stemmer; unigrams and bigrams of the stems. Stemming merges "charged"/"charges"/"charging".
 * - `pair`: every unordered pair of distinct stems in the message, wherever they occur. A linear model
 *   cannot express "card AND arrive" on its own; pairs give it that conjunction cheaply (a sparse
 *   quadratic kernel over words). On Banking77 they are worth about one point of accuracy. To bound the
 *   cost on long mail, pairs use only the first `maxPairStems` distinct stems: the subject and first
 *   lines carry the question.
 * - `char`: character n-grams (default 2..5) inside word boundaries, each token padded with a space
 *   ("char_wb"): robust to typos, inflections and languages the stemmer does not know.
 *
 * Every n-gram is hashed (FNV-1a, 32 bits, a group tag mixed in first) instead of being kept as a
 * string. Training keeps only hashes seen in at least `minDocumentFrequency` messages and numbers them
 * as columns; the model file therefore holds numbers only, never words or phrases of customers'
 * messages. With ~10^5 kept features in a 2^32 space, collisions are negligible.
 *
 * Weighting: sublinear tf (1 + ln tf) × smoothed idf (ln((1 + N) / (1 + df)) + 1), L2 norm per group,
 * × the group's weight. Hashes unknown to the model are ignored at classification time.
 */
import { z } from 'zod';
import { naturalText as natural } from './natural-text.js';

/** How text becomes features; stored in the model so that classification repeats training exactly. */
export type FeatureOptions = {
  /** longest word n-gram (1 = unigrams only, 2 = unigrams and bigrams) */
  maxWordNgram: number;
  /** shortest and longest character n-gram inside a padded token */
  minCharNgram: number;
  maxCharNgram: number;
  /** stem pairs use the first this many distinct stems of a message (0 = no pair features) */
  maxPairStems: number;
  /** multiplier of each group after its L2 normalisation */
  wordWeight: number;
  pairWeight: number;
  charWeight: number;
  /** drop features seen in fewer training messages than this (noise, and model size) */
  minDocumentFrequency: number;
  /** texts are cut to this many characters before featurising: bounds the time spent on huge mail */
  maxTextLength: number;
};

const count = z.number().int().nonnegative();

/** Validates feature options (training input, model files); known fields only, in this order. */
export const featureOptionsSchema = z.object({
  maxWordNgram: count,
  minCharNgram: count,
  maxCharNgram: count,
  maxPairStems: count,
  wordWeight: z.number().nonnegative(),
  pairWeight: z.number().nonnegative(),
  charWeight: z.number().nonnegative(),
  minDocumentFrequency: count,
  maxTextLength: count,
}) satisfies z.ZodType<FeatureOptions>;

export const DEFAULT_FEATURE_OPTIONS: FeatureOptions = {
  maxWordNgram: 2,
  minCharNgram: 2,
  maxCharNgram: 5,
  maxPairStems: 40,
  wordWeight: 1,
  pairWeight: 1,
  charWeight: 1,
  minDocumentFrequency: 2,
  maxTextLength: 5000,
};

/** Hashed n-grams of one group and how often each occurs (parallel arrays). */
export type HashCounts = { hashes: Uint32Array; counts: Uint16Array };

/**
 * Raw hashed n-gram counts of one text, by group. Kept as typed arrays rather than Maps: training
 * holds one of these per example, and Maps cost several times the memory.
 */
export type FeatureCounts = { word: HashCounts; pair: HashCounts; char: HashCounts };

/** A sparse vector: parallel arrays of column numbers and values. */
export type SparseVector = { indices: Int32Array; values: Float32Array };

/** The learned mapping from hashes to columns, and the idf of each column. */
export type FeatureSpace = {
  options: FeatureOptions;
  /** kept hashes, most frequent first; column i is hashes[i] */
  hashes: Uint32Array;
  idf: Float32Array;
  /** hash → column, rebuilt from `hashes` when a model is loaded */
  columnOf: Map<number, number>;
};

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const SPACE = 0x20;
const mix = (hash: number, code: number): number => Math.imul(hash ^ code, FNV_PRIME);
const WORD_SEED = mix(FNV_OFFSET, 0x57); // 'W'
const PAIR_SEED = mix(FNV_OFFSET, 0x50); // 'P'
const CHAR_SEED = mix(FNV_OFFSET, 0x43); // 'C'

// The stemmer is the slowest step per token, and words repeat heavily, so stems are memoised.
const MAX_CACHED_STEMS = 200_000;
const stemCache = new Map<string, string>();

const tokenizer = new natural.RegexpTokenizer({ pattern: /[^\p{L}\p{N}]+/u });

const stem = (token: string): string => {
  let stemmed = stemCache.get(token);
  if (stemmed === undefined) {
    stemmed = natural.PorterStemmer.stem(token);
    if (stemCache.size >= MAX_CACHED_STEMS) stemCache.clear();
    stemCache.set(token, stemmed);
  }
  return stemmed;
};

const mixString = (hash: number, text: string): number => {
  let h = hash;
  for (let i = 0; i < text.length; i++) h = mix(h, text.charCodeAt(i));
  return h;
};

const increment = (counts: Map<number, number>, hash: number): void => {
  const key = hash >>> 0;
  counts.set(key, (counts.get(key) ?? 0) + 1);
};

/** Lower-cased tokens of a text, by natural's tokenizer. */
export const tokenize = (text: string, maxTextLength: number): string[] => {
  const cut = text.length > maxTextLength ? text.slice(0, maxTextLength) : text;
  return tokenizer.tokenize(cut.toLowerCase()).filter((token) => token.length > 0);
};

const countWordNgrams = (stems: string[], maxN: number, counts: Map<number, number>): void => {
  for (let i = 0; i < stems.length; i++) {
    let h = WORD_SEED;
    for (let n = 1; n <= maxN && i + n <= stems.length; n++) {
      if (n > 1) h = mix(h, SPACE);
      h = mixString(h, stems[i + n - 1]);
      increment(counts, h);
    }
  }
};

const countStemPairs = (stems: string[], maxStems: number, counts: Map<number, number>): void => {
  if (maxStems <= 1) return;
  const distinct = [...new Set(stems)].slice(0, maxStems).sort();
  for (let i = 0; i < distinct.length; i++) {
    const prefix = mix(mixString(PAIR_SEED, distinct[i]), SPACE);
    for (let j = i + 1; j < distinct.length; j++) increment(counts, mixString(prefix, distinct[j]));
  }
};

// Rolling over each start position extends one hash per n, so no substring is ever allocated.
const countCharNgrams = (tokens: string[], minN: number, maxN: number, counts: Map<number, number>): void => {
  for (const token of tokens) {
    const length = token.length + 2;
    for (let start = 0; start < length; start++) {
      let h = CHAR_SEED;
      for (let n = 1; n <= maxN && start + n <= length; n++) {
        const at = start + n - 1;
        h = mix(h, at === 0 || at === length - 1 ? SPACE : token.charCodeAt(at - 1));
        if (n >= minN) increment(counts, h);
      }
    }
  }
};

const MAX_COUNT = 0xffff;

const compact = (counts: Map<number, number>): HashCounts => {
  const hashes = new Uint32Array(counts.size);
  const values = new Uint16Array(counts.size);
  let i = 0;
  for (const [hash, count] of counts) {
    hashes[i] = hash;
    values[i++] = Math.min(count, MAX_COUNT);
  }
  return { hashes, counts: values };
};

/** Counts the hashed word n-grams, stem pairs and character n-grams of a text. */
export const countFeatures = (text: string, options: FeatureOptions): FeatureCounts => {
  const tokens = tokenize(text, options.maxTextLength);
  const stems = tokens.map(stem);
  const word = new Map<number, number>();
  const pair = new Map<number, number>();
  const char = new Map<number, number>();
  countWordNgrams(stems, options.maxWordNgram, word);
  countStemPairs(stems, options.maxPairStems, pair);
  countCharNgrams(tokens, options.minCharNgram, options.maxCharNgram, char);
  return { word: compact(word), pair: compact(pair), char: compact(char) };
};

/** hash → column lookup for a feature space's kept hashes. */
export const indexColumns = (hashes: Uint32Array): Map<number, number> => {
  const columnOf = new Map<number, number>();
  for (let i = 0; i < hashes.length; i++) columnOf.set(hashes[i], i);
  return columnOf;
};

/** Builds the feature space (kept hashes and their idf) from the counts of the training texts. */
export const buildFeatureSpace = (documents: FeatureCounts[], options: FeatureOptions): FeatureSpace => {
  const documentFrequency = new Map<number, number>();
  const add = (hash: number): void => {
    documentFrequency.set(hash, (documentFrequency.get(hash) ?? 0) + 1);
  };
  for (const document of documents) {
    // A hash in two groups of one document (a rare collision) counts once per group: harmless.
    for (const group of [document.word, document.pair, document.char]) {
      for (let i = 0; i < group.hashes.length; i++) add(group.hashes[i]);
    }
  }
  const kept: Array<[number, number]> = [];
  for (const [hash, df] of documentFrequency) if (df >= options.minDocumentFrequency) kept.push([hash, df]);
  // Frequent features first: the weights that nearly every message touches then sit together in a
  // few kilobytes, which keeps them in cache while training (about twice as fast as hash order).
  kept.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  const hashes = Uint32Array.from(kept, ([hash]) => hash);
  const idf = new Float32Array(hashes.length);
  for (let i = 0; i < hashes.length; i++) {
    idf[i] = Math.log((1 + documents.length) / (1 + (documentFrequency.get(hashes[i]) ?? 0))) + 1;
  }
  return { options, hashes, idf, columnOf: indexColumns(hashes) };
};

const appendGroup = (
  group: HashCounts,
  space: FeatureSpace,
  weight: number,
  indices: number[],
  values: number[],
): void => {
  const start = indices.length;
  let squares = 0;
  for (let i = 0; i < group.hashes.length; i++) {
    const column = space.columnOf.get(group.hashes[i]);
    if (column === undefined) continue;
    const value = (1 + Math.log(group.counts[i])) * space.idf[column];
    indices.push(column);
    values.push(value);
    squares += value * value;
  }
  if (squares === 0) return;
  const scale = weight / Math.sqrt(squares);
  for (let i = start; i < values.length; i++) values[i] *= scale;
};

/** Turns counts into the weighted, normalised sparse vector the model reads. */
export const vectorizeCounts = (counts: FeatureCounts, space: FeatureSpace): SparseVector => {
  const indices: number[] = [];
  const values: number[] = [];
  appendGroup(counts.word, space, space.options.wordWeight, indices, values);
  appendGroup(counts.pair, space, space.options.pairWeight, indices, values);
  appendGroup(counts.char, space, space.options.charWeight, indices, values);
  return { indices: Int32Array.from(indices), values: Float32Array.from(values) };
};

/** Text → sparse vector in a trained feature space. */
export const vectorizeText = (text: string, space: FeatureSpace): SparseVector =>
  vectorizeCounts(countFeatures(text, space.options), space);
