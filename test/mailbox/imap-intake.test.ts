/**
 * IMAP intake against a real Dovecot (test/support/dovecot.ts): new mail while idle, a backlog of 500,
 * a poller killed with SIGKILL in the middle of a batch, a Dovecot restart, mail that arrived while
 * Mailroom was down, a wrong password next to a working account, move-to-folder mode, a folder whose
 * UIDVALIDITY changed, and a message over the size limit. "Exactly once" is checked on the database
 * (one raw message and one ticket per Message-ID) and on the server (every message flagged or moved).
 *
 * Skips, with a message, only when the dovecot binary is absent; CI installs it.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { count } from 'drizzle-orm';
import { createHarness, eml, tempDir, type Harness } from '../support/harness.js';
import { dovecotMissingReason, startDovecot, type Dovecot, type DovecotUser } from '../support/dovecot.js';
import { waitFor } from '../support/smtp-sink.js';
import { createMailboxModule } from '../../src/mailbox/mailbox-module.js';
import { mailboxAccounts, messages, rawMessages, tickets } from '../../src/db/schema/index.js';
import { recoverIntake } from '../../src/intake/run-intake-worker.js';

/** Upper bound for the big imports on a loaded CI machine (a bound, not a measurement). */
const HEAVY_MS = 240_000;

const missing = dovecotMissingReason();
if (missing) console.warn(`test/mailbox/imap-intake.test.ts: ${missing}`);

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');

let dc: Dovecot;
const users: DovecotUser[] = [];
let open: Harness[] = [];

/** A fresh Dovecot user (its own mailbox), so tests never see each other's mail. */
const newUser = async (): Promise<DovecotUser> => {
  const user = { name: `u${randomUUID().slice(0, 8)}`, password: `pw-${randomUUID().slice(0, 8)}` };
  users.push(user);
  dc.setUsers(users);
  await dc.waitForLogin(user);
  return user;
};

type AccountYaml = { name?: string; user: DovecotUser; password?: string; folder?: string; moveTo?: string; batchSize?: number; idle?: boolean; pollSeconds?: number };

const configYaml = (accounts: AccountYaml[]): string => ['mailboxes:', ...accounts.flatMap((a, i) => [
  `  - name: ${a.name ?? `box${i}`}`,
  `    address: ${a.name ?? `box${i}`}@acme.test`,
  '    acknowledge: false',
  '    imap:',
  `      host: ${dc.host}`,
  `      port: ${dc.port}`,
  '      secure: false',
  `      user: ${a.user.name}`,
  `      password: ${JSON.stringify(a.password ?? a.user.password)}`,
  `      folder: ${a.folder ?? 'INBOX'}`,
  `      afterImport: ${a.moveTo ? `{ moveTo: ${a.moveTo} }` : 'seen'}`,
  `      batchSize: ${a.batchSize ?? 50}`,
  `      idle: ${a.idle ?? true}`,
  // Long poll interval: with IDLE working, new mail must not have to wait for it.
  `      pollSeconds: ${a.pollSeconds ?? 600}`,
]), ''].join('\n');

const start = async (accounts: AccountYaml[], opts: { dir?: string; env?: Record<string, string> } = {}): Promise<Harness> => {
  const h = await createHarness({
    dir: opts.dir, env: opts.env,
    configYaml: configYaml(accounts),
    modules: [createMailboxModule({ reconnect: { baseMs: 100, maxMs: 800 } })],
  });
  open.push(h);
  return h;
};

const stopHarness = async (h: Harness) => {
  open = open.filter((x) => x !== h);
  await h.close();
};

const mail = (n: number, tag = randomUUID().slice(0, 6)) => Array.from({ length: n }, (_, i) => eml({
  from: `customer${i}@example.com`, subject: `Question ${tag}-${i}`, messageId: `${tag}-${i}@example.com`, body: `Message ${i} of ${tag}\r\n`,
}));

const rawCount = (h: Harness) => h.services.db.select({ n: count() }).from(rawMessages).get()!.n;
const ticketCount = (h: Harness) => h.services.db.select({ n: count() }).from(tickets).get()!.n;
const account = (h: Harness, name = 'box0') => h.services.db.select().from(mailboxAccounts).all().find((a) => a.name === name);
const channels = async (h: Harness) => (await h.app.inject({ method: 'GET', url: '/api/channels', headers: h.auth })).json();

/** Every ticket's messages carry distinct Message-IDs: nothing was filed twice. */
const expectNoDuplicates = (h: Harness, expected: number) => {
  const ids = h.services.db.select({ id: messages.messageId }).from(messages).all().map((m) => m.id);
  expect(ids).toHaveLength(expected);
  expect(new Set(ids).size).toBe(expected);
  expect(rawCount(h)).toBe(expected);
  expect(ticketCount(h)).toBe(expected);
};

const waitForTickets = async (h: Harness, n: number, timeoutMs = 30_000) => {
  await waitFor(async () => { await h.drain(); return ticketCount(h) >= n; }, { message: `${n} tickets`, timeoutMs, intervalMs: 50 });
  await h.drain();
};

describe.skipIf(Boolean(missing))('IMAP intake against Dovecot', () => {
  beforeAll(async () => { dc = await startDovecot({ users: [] }); });
  afterAll(async () => { await dc?.close(); });
  afterEach(async () => {
    for (const h of open.splice(0)) await h.close();
    if (!dc.running) await dc.start();
  });

  it('imports new mail while idle (IMAP IDLE, not polling), flags it \\Seen and advances the checkpoint', async () => {
    const user = await newUser();
    const h = await start([{ user }]);
    await waitFor(() => account(h)?.state === 'waiting', { message: 'the account to be waiting' });
    expect(account(h)?.mode).toBe('idle');
    await dc.append(user, mail(1, 'idle'));
    await waitForTickets(h, 1);
    expectNoDuplicates(h, 1);
    await waitFor(async () => (await dc.list(user)).every((m) => m.flags.includes('\\Seen')), { message: '\\Seen on the server' });
    await waitFor(() => account(h)?.lastUid === 1, { message: 'checkpoint 1' });
    const ch = await channels(h);
    expect(ch.mailboxes[0]).toMatchObject({
      name: 'box0', state: 'waiting', mode: 'idle', imported: 1, duplicates: 0, failures: 0, lastError: null, backlog: 0,
      checkpoint: { lastUid: 1, uidValidity: expect.any(String) }, imap: { auth: 'password', afterImport: 'seen' },
    });
    const health = await h.app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json().mailboxes).toMatchObject({ ok: true, accounts: [{ name: 'box0', failures: 0 }] });
    // A message that someone already read (\Seen) before Mailroom saw it is still imported: import is by UID.
    await dc.append(user, mail(1, 'read-already'), { flags: ['\\Seen'] });
    await waitForTickets(h, 2);
  });

  it('imports a backlog of 500 waiting messages exactly once', async () => {
    const user = await newUser();
    await dc.append(user, mail(500, 'backlog'));
    const h = await start([{ user, batchSize: 50 }]);
    await waitFor(() => account(h)?.lastUid === 500 && account(h)?.state === 'waiting', { message: 'checkpoint 500', timeoutMs: HEAVY_MS });
    await waitForTickets(h, 500, HEAVY_MS);
    expectNoDuplicates(h, 500);
    const onServer = await dc.list(user);
    expect(onServer).toHaveLength(500);
    expect(onServer.every((m) => m.flags.includes('\\Seen'))).toBe(true);
    expect(account(h)).toMatchObject({ imported: 500, duplicates: 0, backlog: 0 });
  }, HEAVY_MS + 30_000);

  it('loses and repeats nothing when the poller is killed in the middle of a batch', async () => {
    const user = await newUser();
    await dc.append(user, mail(300, 'crash'));
    const dir = tempDir();
    const yaml = configYaml([{ user, batchSize: 50 }]);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path.join(dir, 'mailroom.yaml'), yaml);
    // Hang after the 125th stored message: batch 3 (UIDs 101-150) is half stored, unflagged, not checkpointed.
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'fixtures', 'crash-poller.ts')], {
      cwd: repo,
      env: {
        ...process.env, HANG_AFTER_ACCEPTS: '125', MAILROOM_CONFIG: path.join(dir, 'mailroom.yaml'), MAILROOM_DATA_DIR: path.join(dir, 'data'),
        MAILROOM_API_TOKEN: 'test-api-token-0123456789', MAILROOM_INBOUND_SECRET: 'test-inbound-secret-0123456789',
        MAILROOM_RULES_DIR: path.join(dir, 'rules'), MAILROOM_LOG_LEVEL: 'silent', REDIS_URL: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d.toString(); });
    child.stderr.on('data', (d) => { err += d.toString(); });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await waitFor(() => /HUNG \d+/.test(out), { message: `the poller to hang (stderr: ${err.slice(0, 500)})`, timeoutMs: HEAVY_MS });
    child.kill('SIGKILL');
    await exited;
    expect(out).toMatch(/HUNG 125/);

    // The state the crash left: 125 stored, 100 flagged and checkpointed.
    const before = await dc.list(user);
    expect(before.filter((m) => m.flags.includes('\\Seen'))).toHaveLength(100);

    const h = await start([{ user, batchSize: 50 }], { dir });
    expect(account(h)?.lastUid).toBe(100);
    expect(rawCount(h)).toBe(125);
    await recoverIntake({ db: h.services.db, queue: h.services.queue });
    await waitFor(() => account(h)?.lastUid === 300 && account(h)?.state === 'waiting', { message: 'checkpoint 300', timeoutMs: HEAVY_MS });
    await waitForTickets(h, 300, HEAVY_MS);
    expectNoDuplicates(h, 300);
    // UIDs 101-125 were fetched again and recognised as already stored. The counters span both
    // processes: the killed one had recorded its first two batches (100) before it died.
    expect(account(h)).toMatchObject({ imported: 275, duplicates: 25 });
    expect((await dc.list(user)).every((m) => m.flags.includes('\\Seen'))).toBe(true);
  }, HEAVY_MS + 30_000);

  it('reconnects after a Dovecot restart and imports what arrives afterwards', async () => {
    const user = await newUser();
    const h = await start([{ user }]);
    await dc.append(user, mail(1, 'before-restart'));
    await waitForTickets(h, 1);
    await dc.stop();
    await waitFor(() => account(h)?.state === 'error', { message: 'the account to notice' });
    expect(account(h)?.lastErrorKind).toBe('connection');
    await dc.start();
    await waitFor(() => account(h)?.state === 'waiting', { message: 'the account to reconnect', timeoutMs: 30_000 });
    await dc.append(user, mail(2, 'after-restart'));
    await waitForTickets(h, 3);
    expectNoDuplicates(h, 3);
    expect(account(h)?.failures).toBe(0);
  });

  it('imports mail that arrived while Mailroom was down, once', async () => {
    const user = await newUser();
    const dir = tempDir();
    const first = await start([{ user }], { dir });
    await dc.append(user, mail(2, 'while-up'));
    await waitForTickets(first, 2);
    await waitFor(() => account(first)?.lastUid === 2);
    await stopHarness(first);
    await dc.append(user, mail(3, 'while-down'));
    const second = await start([{ user }], { dir });
    await waitForTickets(second, 5);
    await waitFor(() => account(second)?.lastUid === 5);
    expectNoDuplicates(second, 5);
    expect(account(second)).toMatchObject({ imported: 5, duplicates: 0 });
  });

  it('shows a wrong password as an auth error with backoff, without delaying a working account', async () => {
    const good = await newUser();
    const bad = await newUser();
    const h = await start([{ name: 'good', user: good }, { name: 'bad', user: bad, password: 'wrong-password' }]);
    await dc.append(good, mail(1, 'good'));
    await waitForTickets(h, 1);
    await waitFor(() => (account(h, 'bad')?.failures ?? 0) >= 3, { message: 'three failed logins', timeoutMs: 30_000 });
    const bad1 = account(h, 'bad')!;
    expect(bad1).toMatchObject({ state: 'error', lastErrorKind: 'auth' });
    expect(bad1.nextRetryAt!.getTime()).toBeGreaterThan(bad1.lastErrorAt!.getTime());
    const ch = await channels(h);
    const badChannel = ch.mailboxes.find((m: { name: string }) => m.name === 'bad');
    expect(badChannel).toMatchObject({ state: 'error', lastErrorKind: 'auth', nextRetryAt: expect.any(String) });
    expect(badChannel.lastError).toMatch(/auth/i);
    const health = await h.app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(503);
    expect(health.json().mailboxes.ok).toBe(false);
    expect(health.json().mailboxes.detail).toMatch(/bad \(auth\)/);
    expect(JSON.stringify(health.json())).not.toContain('wrong-password');
    // The working account keeps working while the other one fails.
    await dc.append(good, mail(1, 'good-again'));
    await waitForTickets(h, 2);
    await waitFor(() => account(h, 'good')?.state === 'waiting', { message: 'the good account to be waiting' });
    // Fixing the password (here: giving the user that password) lets the account recover on its next try.
    bad.password = 'wrong-password';
    dc.setUsers(users);
    await waitFor(() => account(h, 'bad')?.state === 'waiting', { message: 'the account to recover', timeoutMs: 30_000 });
    expect(account(h, 'bad')?.failures).toBe(0);
  });

  it('moves imported mail to a folder in move mode', async () => {
    const user = await newUser();
    await dc.append(user, mail(3, 'move'));
    const dir = tempDir();
    const h = await start([{ user, moveTo: 'Imported' }], { dir });
    await waitForTickets(h, 3);
    await waitFor(async () => (await dc.list(user, 'INBOX')).length === 0, { message: 'INBOX to be empty' });
    const moved = await dc.list(user, 'Imported');
    expect(moved.map((m) => m.messageId).sort()).toEqual(['move-0@example.com', 'move-1@example.com', 'move-2@example.com']);
    await dc.append(user, mail(1, 'move-later'));
    await waitForTickets(h, 4);
    await waitFor(async () => (await dc.list(user, 'INBOX')).length === 0);
    await stopHarness(h);
    const again = await start([{ user, moveTo: 'Imported' }], { dir });
    await waitFor(() => account(again)?.state === 'waiting');
    expectNoDuplicates(again, 4);
  });

  it('rescans a folder whose UIDVALIDITY changed, relying on de-duplication', async () => {
    const user = await newUser();
    const originals = mail(3, 'uidv');
    await dc.append(user, originals, { folder: 'Support' });
    const dir = tempDir();
    const h = await start([{ user, folder: 'Support', pollSeconds: 0.3, idle: false }], { dir });
    await waitForTickets(h, 3);
    const before = account(h)!;
    expect(before.mode).toBe('poll');
    await stopHarness(h);
    // Re-create the folder: same messages (unread again) plus one new one, new UIDVALIDITY.
    await dc.withClient(user, async (c) => { await c.mailboxDelete('Support'); });
    await dc.append(user, [...originals, ...mail(1, 'uidv-new')], { folder: 'Support' });
    const again = await start([{ user, folder: 'Support', pollSeconds: 0.3, idle: false }], { dir });
    await waitForTickets(again, 4);
    await waitFor(() => account(again)?.state === 'waiting' && account(again)?.lastUid === 4);
    expect(account(again)!.uidValidity).not.toBe(before.uidValidity);
    expectNoDuplicates(again, 4);
    expect(account(again)).toMatchObject({ duplicates: 3 });
  });

  it('leaves a message over the size limit in the folder, says so, and goes on', async () => {
    const user = await newUser();
    const big = eml({ subject: 'Huge', messageId: 'huge@example.com', body: `${'x'.repeat(6000)}\r\n` });
    await dc.append(user, [big, ...mail(1, 'small')]);
    const h = await start([{ user }], { env: { MAILROOM_MAX_MESSAGE_BYTES: '4000' } });
    await waitForTickets(h, 1);
    await waitFor(() => account(h)?.lastUid === 2);
    const ch = await channels(h);
    expect(ch.mailboxes[0].skipped).toEqual([expect.objectContaining({ uid: 1, reason: expect.stringMatching(/over the limit of 4000/) })]);
    const server = await dc.list(user);
    expect(server.find((m) => m.uid === 1)?.flags).not.toContain('\\Seen');
    expect(server.find((m) => m.uid === 2)?.flags).toContain('\\Seen');
  });
});
