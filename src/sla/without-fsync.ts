/**
 * Commits without an fsync of their own: `synchronous=NORMAL` on this connection for the duration of
 * `write`, then the connection's setting again (FULL: see src/db/connection.ts). For writes of derived
 * data that the next recomputation writes again if a power cut loses them (a process crash loses
 * nothing in WAL mode). better-sqlite3 is synchronous, so no other statement of this connection runs
 * in between. The next FULL commit on the connection makes these durable too (the WAL is written in order).
 */
import type Database from 'better-sqlite3';
import type { Db } from '../db/connection.js';

type Pragmas = { read: Database.Statement; normal: Database.Statement; restore: Map<number, Database.Statement> };

const pragmas = new WeakMap<Database.Database, Pragmas>();

const pragmasOf = (client: Database.Database): Pragmas => {
  let found = pragmas.get(client);
  if (found === undefined) {
    found = { read: client.prepare('PRAGMA synchronous').pluck(), normal: client.prepare('PRAGMA synchronous = NORMAL'), restore: new Map() };
    pragmas.set(client, found);
  }
  return found;
};

export const withoutFsync = <T>(db: Db, write: () => T): T => {
  const statements = pragmasOf(db.$client);
  const previous = statements.read.get() as number;
  statements.normal.run();
  try {
    return write();
  } finally {
    let restore = statements.restore.get(previous);
    if (restore === undefined) {
      restore = db.$client.prepare(`PRAGMA synchronous = ${Number(previous)}`);
      statements.restore.set(previous, restore);
    }
    restore.run();
  }
};
