/**
 * Which messages of the folder to look at, given the stored checkpoint and what SELECT reported. Pure.
 *
 *  - Checkpoint valid (same folder, same UIDVALIDITY): every UID above `lastUid` (incremental). UIDs
 *    only grow within one UIDVALIDITY (RFC 9051 §2.3.1.1), so this neither skips nor repeats.
 *  - No checkpoint yet, or the configured folder changed (first run):
 *      `move` mode: everything in the folder — the folder is by definition mail still to import;
 *      `seen` mode: the unread messages only — mail someone already read before Mailroom was
 *      connected is history, not new work.
 *  - UIDVALIDITY changed (the server renumbered the folder: a restore, a migration, a re-created
 *    folder): the old UIDs mean nothing, so the folder is scanned again and acceptRawMessage's
 *    de-duplication (same bytes or same Message-ID) turns what was already imported into no-ops:
 *      `move` mode: everything;
 *      `seen` mode: the unread messages plus everything that arrived since a day before the last
 *      successful check (IMAP SINCE has day precision), so mail that arrived and was read by a
 *      person during the renumbering is not skipped.
 * After a full scan the checkpoint moves to at least `uidNext - 1` as SELECT reported it, so messages
 * excluded by the scan (already read) are not picked up later by the incremental rule.
 */
export type StoredCheckpoint = { folder: string; uidValidity: string | null; lastUid: number; lastSuccessAt: Date | null };

export type SelectedFolder = { folder: string; uidValidity: string; uidNext: number };

export type AfterImport = 'seen' | { moveTo: string };

export type ScanSearch = { all: true } | { unseen: true; since: Date | null };

export type ScanPlan =
  | { kind: 'incremental'; afterUid: number }
  | { kind: 'full'; reason: 'first-run' | 'folder-changed' | 'uidvalidity-changed'; search: ScanSearch; floorUid: number };

/** How far before the last successful check a UIDVALIDITY rescan looks in `seen` mode. */
export const RESCAN_MARGIN_MS = 24 * 60 * 60 * 1000;

export const planScan = ({ checkpoint, selected, afterImport }: {
  checkpoint: StoredCheckpoint | null;
  selected: SelectedFolder;
  afterImport: AfterImport;
}): ScanPlan => {
  const floorUid = Math.max(0, selected.uidNext - 1);
  const moving = afterImport !== 'seen';
  if (!checkpoint || checkpoint.uidValidity === null || checkpoint.folder !== selected.folder) {
    const reason = checkpoint && checkpoint.uidValidity !== null && checkpoint.folder !== selected.folder ? 'folder-changed' : 'first-run';
    return { kind: 'full', reason, search: moving ? { all: true } : { unseen: true, since: null }, floorUid };
  }
  if (checkpoint.uidValidity !== selected.uidValidity) {
    const since = checkpoint.lastSuccessAt ? new Date(checkpoint.lastSuccessAt.getTime() - RESCAN_MARGIN_MS) : null;
    return { kind: 'full', reason: 'uidvalidity-changed', search: moving ? { all: true } : { unseen: true, since }, floorUid };
  }
  return { kind: 'incremental', afterUid: checkpoint.lastUid };
};

/** A compact IMAP UID set for sorted UIDs: [1,2,3,7,9,10] → "1:3,7,9:10". */
export const uidSet = (uids: readonly number[]): string => {
  const parts: string[] = [];
  let start = -1;
  let prev = -1;
  for (const uid of uids) {
    if (start < 0) { start = prev = uid; continue; }
    if (uid === prev + 1) { prev = uid; continue; }
    parts.push(start === prev ? `${start}` : `${start}:${prev}`);
    start = prev = uid;
  }
  if (start >= 0) parts.push(start === prev ? `${start}` : `${start}:${prev}`);
  return parts.join(',');
};
