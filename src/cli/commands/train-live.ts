/**
 * `mailroom train --live [--data FILE]`: retrain the live classifier of this installation from every
 * labeled example in its database (agents' corrections and imports), optionally importing FILE first.
 * The same use case as `POST /api/classifier/train`: the new model goes live only if it is not worse on
 * held-out examples; a running server picks it up within a minute.
 */
import { parseArgs } from 'node:util';
import { eq } from 'drizzle-orm';
import { modelsDir } from '../../classify/classifier-module.js';
import { loadExamples } from '../../classify/load-examples.js';
import { loadModel } from '../../classify/persist-model.js';
import { retrainClassifier } from '../../classify/retrain-classifier.js';
import { loadConfig } from '../../config.js';
import { classifierModels, trainingExamples } from '../../db/schema/index.js';
import { createLogger } from '../../logger.js';
import { createServices } from '../../services.js';

export const runLiveRetrain = async (argv: string[]): Promise<number> => {
  const { values } = parseArgs({ args: argv, options: { live: { type: 'boolean' }, data: { type: 'string' }, json: { type: 'boolean', default: false } } });
  const services = await createServices({ config: loadConfig(process.env), log: createLogger('warn') });
  try {
    const { db } = services;
    const now = services.clock.now();
    let imported = 0;
    if (values.data) {
      const { examples, problems } = await loadExamples({ path: values.data });
      for (const p of problems.slice(0, 20)) console.error(`${values.data}:${p.line}: ${p.message}`);
      db.transaction((tx) => {
        for (const e of examples) tx.insert(trainingExamples).values({ text: e.text, category: e.category, source: 'import', createdBy: 'cli', createdAt: now }).run();
      });
      imported = examples.length;
    }
    const active = db.select().from(classifierModels).where(eq(classifierModels.active, true)).get();
    const current = active ? await loadModel({ path: active.file }) : null;
    const { model: _model, ...result } = await retrainClassifier({ db, modelsDir: modelsDir(services), current, now });
    if (values.json) {
      console.log(JSON.stringify({ imported, ...result }, null, 2));
    } else {
      if (imported) console.log(`imported ${imported} examples from ${values.data}`);
      if (result.outcome === 'cold-start') {
        console.log(`no model: ${result.reason}`);
      } else {
        const c = result.choice;
        const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);
        console.log(`${result.examples} examples, ${c.heldOut} held out`);
        console.log(`candidate ${c.candidateVersion}: ${pct(c.candidateAccuracy)}; live ${c.currentVersion ?? '(none)'}: ${pct(c.currentAccuracy)}`);
        console.log(`${result.activated ? 'the candidate is live' : 'the live model stays'}: ${c.reason}`);
        console.log('threshold  coverage  accuracy');
        for (const r of result.calibration) console.log(`${r.threshold.toFixed(2).padStart(9)}  ${pct(r.coverage).padStart(8)}  ${pct(r.accuracy).padStart(8)}`);
      }
    }
    return 0;
  } finally {
    await services.close();
  }
};
