/** `mailroom train --live`: import labeled examples and retrain the installation's live model, as a separate process. */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { databaseFile, openDatabase } from '../../src/db/connection.js';
import { classifierModels, trainingExamples } from '../../src/db/schema/index.js';
import { tempDir } from '../support/harness.js';

const run = (args: string[], dir: string) => new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
  const c = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    env: { PATH: process.env.PATH, MAILROOM_DATA_DIR: path.join(dir, 'data'), MAILROOM_RULES_DIR: path.join(dir, 'rules'), MAILROOM_LOG_LEVEL: 'silent' },
  });
  let stdout = '';
  let stderr = '';
  c.stdout.on('data', (d) => { stdout += d; });
  c.stderr.on('data', (d) => { stderr += d; });
  c.on('exit', (code) => resolve({ code, stdout, stderr }));
});

describe('mailroom train --live', () => {
  it('imports examples (reporting bad rows by line), trains, and makes the model live', async () => {
    const dir = tempDir();
    const rows = ['text,category'];
    for (let i = 0; i < 30; i++) rows.push(`"refund the double charge on invoice ${i}",billing`, `"cannot log in to account ${i}, password reset fails",access`);
    rows.push('"a row without a category",');
    const csv = path.join(dir, 'examples.csv');
    writeFileSync(csv, `${rows.join('\n')}\n`);
    const res = await run(['train', '--live', '--data', csv, '--json'], dir);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/examples\.csv:62: /);
    const out = JSON.parse(res.stdout);
    expect(out).toMatchObject({ imported: 60, outcome: 'trained', activated: true });
    const db = openDatabase(databaseFile(path.join(dir, 'data')));
    expect(db.select().from(trainingExamples).all()).toHaveLength(60);
    expect(db.select().from(classifierModels).all()).toEqual([expect.objectContaining({ active: true, categories: ['access', 'billing'] })]);
    db.$client.close();
  });
});
