/** Trains off the main thread (src/classify/train-worker.ts) and decodes the model it sends back. */
import { Worker } from 'node:worker_threads';
import type { ClassifierModel } from './classifier-model.js';
import type { LabeledExample } from './labeled-example.js';
import { decodeModel } from './model-codec.js';

export type TrainInWorkerResult = { model: ClassifierModel; problem: null } | { model: null; problem: { code: string; message: string } };

export const trainInWorker = ({ examples, trainedAt }: { examples: LabeledExample[]; trainedAt: Date }): Promise<TrainInWorkerResult> =>
  new Promise((resolve, reject) => {
    // The worker runs TypeScript source: its plain-JS bootstrap registers tsx's loader in the new thread.
    const worker = new Worker(new URL('./train-worker-bootstrap.mjs', import.meta.url), {
      workerData: { examples, trainedAt: trainedAt.toISOString() },
    });
    worker.once('message', (msg: { model?: Uint8Array; problem?: { code: string; message: string }; error?: string }) => {
      void worker.terminate();
      if (msg.error) reject(new Error(msg.error));
      else if (msg.model) resolve({ model: decodeModel(Buffer.from(msg.model)), problem: null });
      else resolve({ model: null, problem: msg.problem! });
    });
    worker.once('error', reject);
    worker.once('exit', (code) => { if (code !== 0) reject(new Error(`training worker exited with code ${code}`)); });
  });
