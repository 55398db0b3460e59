/**
 * The two pieces of natural the classifier's features use: RegexpTokenizer and the Porter stemmer,
 * imported from their own modules. natural's index loads every part of the library (mongoose, pg,
 * wordnet: ~1.2 s and ~95 MB of heap) and calls `dotenv.config()`; these two modules do neither, so the
 * server starts fast and no `.env` is ever read behind Mailroom's back. (`natural.ts` keeps the fenced
 * full import for the benchmark's BayesClassifier.)
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

type Tokenizer = { tokenize: (text: string) => string[] };
type Stemmer = { stem: (token: string) => string };

const { RegexpTokenizer } = require('natural/lib/natural/tokenizers/regexp_tokenizer.js') as {
  RegexpTokenizer: new (options: { pattern: RegExp }) => Tokenizer;
};
const PorterStemmer = require('natural/lib/natural/stemmers/porter_stemmer.js') as Stemmer;

export const naturalText = { RegexpTokenizer, PorterStemmer };
