/**
 * A read-only connection to the Mailroom database, for the work that must not write: `mailroom rules
 * test` and `rules backtest`, and the threads of a parallel backtest. No migrations are run (they
 * write); SQLite refuses any write on this connection.
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import type { Db } from '../db/connection.js';
import * as schema from '../db/schema/index.js';

/** The database file opened read-only, or null when there is none. */
export const openDatabaseReadOnly = (file: string): Db | null => {
  if (!existsSync(file)) return null;
  const sqlite = new Database(file, { readonly: true, fileMustExist: true });
  sqlite.pragma('busy_timeout = 5000');
  return drizzle(sqlite, { schema }) as Db;
};
