/** The pure parts of IMAP intake: which UIDs to scan, UID sets, error kinds. */
import { describe, expect, it } from 'vitest';
import { planScan, uidSet, RESCAN_MARGIN_MS } from '../../src/mailbox/plan-scan.js';
import { classifyImapError } from '../../src/mailbox/classify-imap-error.js';

const selected = { folder: 'INBOX', uidValidity: '1700000000', uidNext: 42 };

describe('planScan', () => {
  it('continues above the checkpoint when folder and UIDVALIDITY are unchanged', () => {
    expect(planScan({ checkpoint: { folder: 'INBOX', uidValidity: '1700000000', lastUid: 17, lastSuccessAt: null }, selected, afterImport: 'seen' }))
      .toEqual({ kind: 'incremental', afterUid: 17 });
  });

  it('first run: unread only in seen mode, everything in move mode, then at least uidNext - 1', () => {
    expect(planScan({ checkpoint: null, selected, afterImport: 'seen' }))
      .toEqual({ kind: 'full', reason: 'first-run', search: { unseen: true, since: null }, floorUid: 41 });
    expect(planScan({ checkpoint: { folder: 'INBOX', uidValidity: null, lastUid: 0, lastSuccessAt: null }, selected, afterImport: { moveTo: 'Done' } }))
      .toEqual({ kind: 'full', reason: 'first-run', search: { all: true }, floorUid: 41 });
  });

  it('a different folder starts over', () => {
    expect(planScan({ checkpoint: { folder: 'Old', uidValidity: '1700000000', lastUid: 99, lastSuccessAt: null }, selected, afterImport: 'seen' }))
      .toMatchObject({ kind: 'full', reason: 'folder-changed' });
  });

  it('a new UIDVALIDITY rescans: unread plus a day before the last success (seen), everything (move)', () => {
    const lastSuccessAt = new Date('2026-11-23T10:00:00Z');
    const checkpoint = { folder: 'INBOX', uidValidity: '1600000000', lastUid: 500, lastSuccessAt };
    expect(planScan({ checkpoint, selected, afterImport: 'seen' })).toEqual({
      kind: 'full', reason: 'uidvalidity-changed', search: { unseen: true, since: new Date(lastSuccessAt.getTime() - RESCAN_MARGIN_MS) }, floorUid: 41,
    });
    expect(planScan({ checkpoint, selected, afterImport: { moveTo: 'Done' } })).toMatchObject({ search: { all: true } });
  });
});

describe('uidSet', () => {
  it('compresses runs', () => {
    expect(uidSet([1, 2, 3, 7, 9, 10])).toBe('1:3,7,9:10');
    expect(uidSet([5])).toBe('5');
    expect(uidSet([])).toBe('');
  });
});

describe('classifyImapError', () => {
  it.each([
    [{ message: 'Command failed', authenticationFailed: true }, 'auth'],
    [{ message: 'Command failed', serverResponseCode: 'AUTHENTICATIONFAILED' }, 'auth'],
    [{ message: 'connect ECONNREFUSED 127.0.0.1:993', code: 'ECONNREFUSED' }, 'connection'],
    [{ message: 'Connection not available', code: 'NoConnection' }, 'connection'],
    [{ message: 'connection closed by the server' }, 'connection'],
    [{ message: 'self-signed certificate', code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }, 'tls'],
    [{ message: 'Command failed', responseText: "Mailbox doesn't exist: Support" }, 'folder'],
    [{ message: 'Command failed', responseText: 'Something odd' }, 'protocol'],
  ])('%j → %s', (err, kind) => {
    expect(classifyImapError(err)).toBe(kind);
  });
});
