/**
 * The `mailbox_accounts` row of one IMAP account: its checkpoint and its visible state. Every write is
 * one small statement; the checkpoint only ever moves forward within one UIDVALIDITY, so two pollers
 * of the same account (two `serve` processes) can never move it back.
 */
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/connection.js';
import { mailboxAccounts, type MailboxState, type SkippedMessage } from '../db/schema/index.js';
import type { StoredCheckpoint } from './plan-scan.js';

/** How many skipped messages are remembered per account. */
export const MAX_SKIPPED_REMEMBERED = 20;

export type MailboxAccountRow = typeof mailboxAccounts.$inferSelect;

export type MailboxAccountStore = {
  checkpoint(): StoredCheckpoint | null;
  /** a new UIDVALIDITY (or folder): replace the checkpoint */
  resetCheckpoint(c: { folder: string; uidValidity: string; lastUid: number }): void;
  /** the same UIDVALIDITY: move forward to `lastUid` (never back) */
  advanceCheckpoint(c: { uidValidity: string; lastUid: number }): void;
  setState(state: MailboxState, patch?: Partial<Pick<MailboxAccountRow, 'mode' | 'backlog' | 'unseen'>>): void;
  recordSuccess(patch: Partial<Pick<MailboxAccountRow, 'backlog' | 'unseen' | 'mode'>>): void;
  recordError(e: { message: string; kind: string; failures: number; nextRetryAt: Date }): void;
  count(c: { imported: number; duplicates: number; skipped: SkippedMessage[] }): void;
  row(): MailboxAccountRow | null;
};

export const createMailboxAccountStore = ({ db, name, folder, now }: { db: Db; name: string; folder: string; now: () => Date }): MailboxAccountStore => {
  db.insert(mailboxAccounts).values({ name, folder, state: 'starting', updatedAt: now() }).onConflictDoNothing().run();
  const where = eq(mailboxAccounts.name, name);
  const update = (patch: Partial<typeof mailboxAccounts.$inferInsert>) => db.update(mailboxAccounts).set({ ...patch, updatedAt: now() }).where(where).run();
  const row = () => db.select().from(mailboxAccounts).where(where).get() ?? null;
  return {
    row,
    checkpoint() {
      const r = row();
      return r ? { folder: r.folder, uidValidity: r.uidValidity, lastUid: r.lastUid, lastSuccessAt: r.lastSuccessAt } : null;
    },
    resetCheckpoint(c) {
      update({ folder: c.folder, uidValidity: c.uidValidity, lastUid: c.lastUid, checkpointAt: now() });
    },
    advanceCheckpoint(c) {
      db.update(mailboxAccounts)
        .set({ lastUid: sql`max(${mailboxAccounts.lastUid}, ${c.lastUid})`, checkpointAt: now(), updatedAt: now() })
        .where(sql`${mailboxAccounts.name} = ${name} and ${mailboxAccounts.uidValidity} = ${c.uidValidity}`).run();
    },
    setState(state, patch = {}) {
      update({ state, ...patch });
    },
    recordSuccess(patch) {
      update({ ...patch, state: 'waiting', lastSuccessAt: now(), failures: 0, nextRetryAt: null });
    },
    recordError(e) {
      update({ state: 'error', lastError: e.message.slice(0, 1000), lastErrorKind: e.kind, lastErrorAt: now(), failures: e.failures, nextRetryAt: e.nextRetryAt });
    },
    count(c) {
      if (c.imported === 0 && c.duplicates === 0 && c.skipped.length === 0) return;
      const current = row();
      const skipped = [...(current?.skipped ?? []), ...c.skipped].slice(-MAX_SKIPPED_REMEMBERED);
      db.update(mailboxAccounts).set({
        imported: sql`${mailboxAccounts.imported} + ${c.imported}`,
        duplicates: sql`${mailboxAccounts.duplicates} + ${c.duplicates}`,
        skipped,
        updatedAt: now(),
      }).where(where).run();
    },
  };
};
