/**
 * The one place Mailroom imports `natural`.
 *
 * Why this module exists: `natural` (8.x) requires `dotenv` and calls `dotenv.config()` from several of
 * its storage adapters as a side effect of being imported. That reads a `.env` file from the current
 * directory into `process.env` and prints a banner line. Mailroom's configuration is built once, from
 * validated sources (src/config.ts); a library quietly adding variables would let a stray `.env` change
 * behaviour far from where config is read. So the import is fenced:
 *
 * 1. snapshot the names of the variables present before the import;
 * 2. set `DOTENV_CONFIG_QUIET=true` only for the duration of the import (dotenv reads it and stays
 *    silent), restoring whatever value it had before;
 * 3. after the import, delete every variable that was not there before.
 *
 * dotenv never overrides existing variables unless asked to, and natural does not ask, so removing
 * the new names restores the environment exactly. Everything else in Mailroom imports `natural` from
 * here; importing it directly would bring the side effect back.
 */
import type * as NaturalModule from 'natural';

type Natural = typeof NaturalModule;

const importNaturalQuietly = async (): Promise<Natural> => {
  const before = new Set(Object.keys(process.env));
  const hadQuiet = Object.prototype.hasOwnProperty.call(process.env, 'DOTENV_CONFIG_QUIET');
  const previousQuiet = process.env.DOTENV_CONFIG_QUIET;
  process.env.DOTENV_CONFIG_QUIET = 'true';
  try {
    const imported = (await import('natural')) as Natural & { default?: Natural };
    // natural is CommonJS: under ESM its exports arrive on `default` (named re-exports may be partial).
    return imported.default ?? imported;
  } finally {
    for (const name of Object.keys(process.env)) {
      if (!before.has(name)) delete process.env[name];
    }
    if (hadQuiet) process.env.DOTENV_CONFIG_QUIET = previousQuiet;
    else delete process.env.DOTENV_CONFIG_QUIET;
  }
};

/** The `natural` library, imported without its `.env` side effect. */
export const natural: Natural = await importNaturalQuietly();
