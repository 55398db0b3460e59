/**
 * "Did you mean" suggestions for rule files: the closest known name to what a supervisor typed.
 *
 * Heuristic: optimal-string-alignment distance (Levenshtein plus adjacent transpositions, so `tpye`
 * is one edit from `type`), compared case-insensitively, with `_`, `-` and `.` treated as equal
 * (so `from_domain` and `from-domain` both find `from.domain`). A candidate is offered only when it is
 * close enough to be a typo: at most 1 edit for names up to 4 characters, 2 up to 8, 3 beyond. When no
 * candidate is that close, a candidate that ends with `.<typed>` (`tier` → `customer.tier`) or starts
 * with `<typed>.` (`from` → `from.address`) is offered instead. Ties go to the earlier candidate, so
 * callers list the most common names first.
 */

/** Edit distance with adjacent transpositions (optimal string alignment). */
export const editDistance = (a: string, b: string): number => {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let prev2: number[] = [];
  let prev: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const cur: number[] = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, prev2[j - 2] + 1);
      }
      cur.push(best);
    }
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length];
};

const normalize = (s: string): string => s.toLowerCase().replace(/[-_.]/g, '.');

const maxEditsFor = (length: number): number => (length <= 4 ? 1 : length <= 8 ? 2 : 3);

/**
 * The known name closest to `typed`, or null when nothing is close enough to be a typo.
 *
 * @param typed what the rule file says
 * @param candidates the names that would have been accepted, most common first
 */
export const didYouMean = (typed: string, candidates: Iterable<string>): string | null => {
  const wanted = normalize(typed);
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  let affix: string | null = null;
  for (const candidate of candidates) {
    const norm = normalize(candidate);
    if (norm === wanted && candidate !== typed) return candidate;
    const distance = editDistance(wanted, norm);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
    if (affix === null && wanted.length >= 2 && (norm.endsWith(`.${wanted}`) || norm.startsWith(`${wanted}.`))) {
      affix = candidate;
    }
  }
  if (best !== null && bestDistance > 0 && bestDistance <= maxEditsFor(wanted.length)) return best;
  return affix;
};

/** `; did you mean "x"?` or the empty string: ready to append to an error message. */
export const didYouMeanSuffix = (typed: string, candidates: Iterable<string>): string => {
  const suggestion = didYouMean(typed, candidates);
  return suggestion === null ? '' : `; did you mean "${suggestion}"?`;
};
