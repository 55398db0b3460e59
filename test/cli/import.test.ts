/** `mailroom import` as a user runs it: a separate process over real files (mbox, maildir, directory, one .eml). */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase, databaseFile } from '../../src/db/connection.js';
import { messages, tickets } from '../../src/db/schema/index.js';
import { readMailSource } from '../../src/intake/read-mail-source.js';
import { API_TOKEN, eml, INBOUND_SECRET, tempDir } from '../support/harness.js';

const runCli = (args: string[], dir: string, extraEnv: Record<string, string> = {}) => new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    env: {
      PATH: process.env.PATH, MAILROOM_DATA_DIR: path.join(dir, 'data'), MAILROOM_API_TOKEN: API_TOKEN, MAILROOM_INBOUND_SECRET: INBOUND_SECRET,
      MAILROOM_RULES_DIR: path.join(dir, 'rules'), MAILROOM_LOG_LEVEL: 'silent', ...extraEnv,
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  child.on('exit', (code) => resolve({ code, stdout, stderr }));
});

const mbox = (msgs: Buffer[]) => Buffer.concat(msgs.map((m, i) => Buffer.concat([
  Buffer.from(`From sender${i}@example.com Mon Nov 23 09:00:00 2026\n`),
  Buffer.from(m.toString('latin1').replace(/\r\n/g, '\n').replace(/^From /gm, '>From '), 'latin1'),
  Buffer.from('\n\n'),
])));

describe('mailroom import', () => {
  it('imports an mbox, unescapes >From lines, de-duplicates on a second run, and files tickets', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'support.mbox');
    const bodies = [eml({ subject: 'one', body: 'From here on, it broke.\r\n' }), eml({ subject: 'two' }), eml({ subject: 'three' })];
    writeFileSync(file, mbox(bodies));
    const items = [];
    for await (const item of readMailSource(file)) items.push(item);
    expect(items).toHaveLength(3);
    expect(items[0].raw.toString()).toContain('\r\nFrom here on, it broke.');

    const first = await runCli(['import', file, '--json'], dir);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ kind: 'mbox', accepted: 3, duplicates: 0, failed: 0, processed: 3, quarantined: 0 });
    const second = await runCli(['import', file, '--json'], dir);
    expect(JSON.parse(second.stdout)).toMatchObject({ accepted: 0, duplicates: 3 });

    const db = openDatabase(databaseFile(path.join(dir, 'data')));
    expect(db.select().from(tickets).all().map((t) => t.subject).sort()).toEqual(['one', 'three', 'two']);
    expect(db.select().from(messages).all().find((m) => m.subject === 'one')!.text).toContain('From here on, it broke.');
    db.$client.close();
  });

  it('imports a maildir (new/ and cur/) and a directory of .eml files, and reports bad input with reasons', async () => {
    const dir = tempDir();
    const maildir = path.join(dir, 'Maildir');
    for (const sub of ['new', 'cur', 'tmp']) mkdirSync(path.join(maildir, sub), { recursive: true });
    writeFileSync(path.join(maildir, 'new', '1700000000.1.host'), eml({ subject: 'in new' }));
    writeFileSync(path.join(maildir, 'cur', '1700000000.2.host:2,S'), eml({ subject: 'in cur' }));
    writeFileSync(path.join(maildir, 'tmp', 'partial'), eml({ subject: 'still being written' }));
    const md = await runCli(['import', maildir, '--json'], dir);
    expect(JSON.parse(md.stdout)).toMatchObject({ kind: 'maildir', accepted: 2, processed: 2 });

    const emls = path.join(dir, 'emls');
    mkdirSync(emls);
    writeFileSync(path.join(emls, 'a.eml'), eml({ subject: 'from a directory' }));
    writeFileSync(path.join(emls, 'empty.eml'), '');
    writeFileSync(path.join(emls, 'junk.eml'), Buffer.from([0, 1, 2, 3, 255]));
    const res = await runCli(['import', emls], dir);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/accepted: +2/);
    expect(res.stdout).toMatch(/failed: +1/);
    expect(res.stdout).toMatch(/empty\.eml: The message is empty/);
    expect(res.stdout).toMatch(/quarantined: 1/);
  });

  it('says what is wrong with a missing path or a bad variable', async () => {
    const dir = tempDir();
    const usage = await runCli(['import'], dir);
    expect(usage.code).toBe(2);
    const bad = await runCli(['import', path.join(dir, 'nope.mbox')], dir, { MAILROOM_MAX_MESSAGE_BYTES: 'lots' });
    expect(bad.code).toBe(78);
    expect(bad.stderr).toContain('MAILROOM_MAX_MESSAGE_BYTES');
    const missing = await runCli(['import', path.join(dir, 'nope.mbox')], dir);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nope\.mbox: no such file or directory/);
  });
});
