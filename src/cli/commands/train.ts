/**
 * `mailroom train --data FILE [--out PATH]`: trains a classifier from a file of labeled examples (CSV
 * with `text,category`, or JSONL) and writes the model file. Unusable rows are listed with their line
 * numbers; the rest are used.
 *
 * Exit codes: 0 model written; 1 nothing to train (no usable examples, one category) or a file that
 * cannot be read; 2 usage.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ClassifierError } from '../../classify/classifier-error.js';
import type { ExampleProblem } from '../../classify/load-examples.js';
import { loadExamples } from '../../classify/load-examples.js';
import { saveModel } from '../../classify/persist-model.js';
import { trainClassifier } from '../../classify/train-classifier.js';
import type { Command } from '../command.js';

const USAGE = `usage: mailroom train --data FILE [--out PATH] [options]
       mailroom train --live [--data FILE]   retrain this installation's live model from its database
                                              (corrections + imports, plus FILE when given)

  Trains the message classifier from labeled examples and writes a model file.
  FILE is CSV with a header naming "text" and "category", or JSONL ({"text": ..., "category": ...}).

options:
  --data FILE       labeled examples (required)
  --out PATH        model file to write (default: data/models/<version>.model)
  --format csv|jsonl  (default: from the extension, else from the content)
  --seed N          seed of every split and shuffle (default 1): same data + seed = same model
  --json            print the result as JSON
`;

export type CommandIo = { out: (text: string) => void; err: (text: string) => void };

const processIo: CommandIo = { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) };

/** How many unusable rows are listed in text output (all of them in JSON). */
export const PROBLEMS_SHOWN = 20;

/** Lists unusable rows on stderr; shared with classify-eval. */
export const reportProblems = (io: CommandIo, file: string, problems: ExampleProblem[]): void => {
  if (problems.length === 0) return;
  io.err(`${file}: ${problems.length} unusable row(s), not used:\n`);
  for (const problem of problems.slice(0, PROBLEMS_SHOWN)) io.err(`  line ${problem.line}: ${problem.message}\n`);
  if (problems.length > PROBLEMS_SHOWN) io.err(`  … and ${problems.length - PROBLEMS_SHOWN} more (--json lists all)\n`);
};

const parseFormat = (value: string | undefined): 'csv' | 'jsonl' | undefined => {
  if (value === undefined || value === 'csv' || value === 'jsonl') return value;
  throw new TypeError(`--format must be csv or jsonl, not "${value}"`);
};

const parseSeed = (value: string | undefined): number => {
  const seed = Number(value ?? '1');
  if (!Number.isInteger(seed)) throw new TypeError(`--seed must be an integer, not "${value}"`);
  return seed;
};

/** Runs `mailroom train`; returns the exit code. */
export const runTrainCommand = async (argv: string[], io: CommandIo = processIo): Promise<number> => {
  if (argv.includes('--live')) return (await import('./train-live.js')).runLiveRetrain(argv);
  let values: { data?: string; out?: string; format?: string; seed?: string; json?: boolean; help?: boolean };
  let format: 'csv' | 'jsonl' | undefined;
  let seed: number;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        data: { type: 'string' },
        out: { type: 'string' },
        format: { type: 'string' },
        seed: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
    if (values.help) {
      io.out(USAGE);
      return 0;
    }
    if (!values.data) throw new TypeError('--data FILE is required');
    format = parseFormat(values.format);
    seed = parseSeed(values.seed);
  } catch (error) {
    io.err(`mailroom train: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }

  try {
    const parsed = await loadExamples({ path: values.data, format });
    if (!values.json) reportProblems(io, values.data, parsed.problems);
    const started = performance.now();
    const { model, problem } = trainClassifier({ examples: parsed.examples, seed, trainedAt: new Date().toISOString() });
    const trainingSeconds = (performance.now() - started) / 1000;
    if (model === null) {
      if (values.json) io.out(`${JSON.stringify({ trained: false, problem, problems: parsed.problems }, null, 2)}\n`);
      else io.err(`mailroom train: no model: ${problem.message}\n`);
      return 1;
    }
    const out = resolve(values.out ?? `data/models/${model.version}.model`);
    const saved = await saveModel({ model, path: out });
    const summary = {
      trained: true,
      version: model.version,
      file: out,
      bytes: saved.bytes,
      examples: parsed.examples.length,
      unusableRows: parsed.problems.length,
      categories: model.categories.length,
      trainingSeconds,
      calibration: model.calibration,
    };
    if (values.json) {
      io.out(`${JSON.stringify({ ...summary, examplesPerCategory: model.training.examplesPerCategory, problems: parsed.problems }, null, 2)}\n`);
      return 0;
    }
    const calibration =
      model.calibration.method === 'temperature'
        ? `held-out accuracy ${(model.calibration.heldOutAccuracy * 100).toFixed(1)}% on ${model.calibration.heldOut} examples, temperature ${model.calibration.temperature.toFixed(3)}`
        : `not calibrated (${model.calibration.reason})`;
    io.out(
      [
        `model ${model.version} → ${out} (${(saved.bytes / 1024 / 1024).toFixed(2)} MB)`,
        `  ${parsed.examples.length} examples, ${model.categories.length} categories, ${trainingSeconds.toFixed(1)} s`,
        `  ${calibration}`,
        '',
      ].join('\n'),
    );
    return 0;
  } catch (error) {
    if (error instanceof ClassifierError) {
      io.err(`mailroom train: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
};

export const command: Command = {
  name: 'train',
  summary: 'Train the message classifier from a CSV/JSONL file of labeled examples',
  run: (argv) => runTrainCommand(argv),
};
