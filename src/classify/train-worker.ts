/**
 * Runs in a worker thread: trains a classifier on the examples it is given and posts back the encoded
 * model (or the cold-start problem). Training is CPU-bound for seconds; here it never blocks intake.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { encodeModel } from './model-codec.js';
import { trainClassifier } from './train-classifier.js';
import type { LabeledExample } from './labeled-example.js';

const { examples, trainedAt } = workerData as { examples: LabeledExample[]; trainedAt: string };
try {
  const result = trainClassifier({ examples, trainedAt });
  parentPort!.postMessage(result.model ? { model: encodeModel(result.model) } : { problem: result.problem });
} catch (err) {
  parentPort!.postMessage({ error: (err as Error).message });
}
