/**
 * Locates ../shared/data (public test material that a user's checkout does not have). Benchmarks call
 * `sharedDataOrSkip()` and exit cleanly with a message when it is absent.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const sharedDataDir = path.resolve(repoRoot, '..', 'shared', 'data');

export const sharedDataOrSkip = (sub: string): string | null => {
  const dir = path.join(sharedDataDir, sub);
  if (!existsSync(dir)) {
    console.log(`skipped: ${dir} is not present (public test data lives beside the repo, see README)`);
    return null;
  }
  return dir;
};

/** Every regular file below `dir` whose name passes `filter`, sorted. */
export const listFiles = (dir: string, filter: (name: string) => boolean = () => true): string[] => {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const full = path.join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (filter(name)) out.push(full);
    }
  };
  walk(dir);
  return out;
};

export const percentile = (sorted: number[], p: number): number =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

export const fmt = (n: number, digits = 2): string => n.toFixed(digits);
