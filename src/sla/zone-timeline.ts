/**
 * UTC offsets of one IANA time zone as a step function, and the conversion of wall-clock intervals into
 * UTC intervals. This is the only place in src/sla that knows about time zones.
 *
 * Approach
 * - Asking the zone database (`Intl.DateTimeFormat` with `timeZoneName: 'longOffset'`, which reads
 *   `GMT+02:00`) costs ~10 µs per instant, far too slow to call for every interval of every ticket.
 *   Instead, per UTC year, the offset is sampled every `SAMPLE_STEP_MS` (12 h) and each change between
 *   two samples is located to the second by binary search. The year's transitions are kept as a sorted
 *   array; `offsetMs(t)` is then a binary search. Cost: ~770 zone-database calls (~7 ms) per zone and
 *   year, once. Assumption: a zone never changes its offset twice within 12 hours (true of every zone
 *   in the tz database since 1970).
 * - A "wall" instant is the local date and time read as if it were UTC (`Date.UTC(y, m, d, hh, mm)`).
 *   An instant t reads as wall time `t + offset(t)`. Within a stretch of constant offset o the reading is
 *   monotone, so the UTC instants that read inside a wall interval [a, b) are [a - o, b - o) clipped to
 *   the stretch. Doing that for every stretch near [a, b) gives the exact preimage, which handles both
 *   DST directions without special cases: a wall hour that does not exist (spring forward) has an empty
 *   preimage, a wall hour that happens twice (fall back) has two pieces.
 */
import { IANAZone } from 'luxon';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** Offsets lie within ±26 h of UTC for every zone (the extremes today are -12 h and +14 h). */
const MAX_OFFSET_MS = 26 * HOUR_MS;
const SAMPLE_STEP_MS = 12 * HOUR_MS;
const OFFSET_PATTERN = /GMT(?:([+\-\u2212])(\d{1,2}):?(\d{2})?(?::(\d{2}))?)?$/;

/** A half-open UTC interval [start, end) in epoch milliseconds. */
export type UtcInterval = { start: number; end: number };

type YearTable = {
  /** the UTC year's first instant and the next year's */
  start: number;
  end: number;
  /** offset in effect at the first instant of the UTC year */
  startOffset: number;
  /** instants at which the offset changes, ascending */
  at: number[];
  /** the offset from `at[i]` on */
  after: number[];
};

/** Returns the index of the last element `<= value`, or -1. */
const lastAtOrBefore = (sorted: readonly number[], value: number): number => {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
};

/** Returns true when `zone` is an IANA zone name the runtime knows (e.g. `Europe/Berlin`, `UTC`). */
export const isValidTimeZone = (zone: string): boolean => IANAZone.isValidZone(zone);

/**
 * The offset step function of one zone. Create one per zone and reuse it: the year tables are cached.
 */
export class ZoneTimeline {
  readonly zone: string;
  private readonly format: Intl.DateTimeFormat;
  private readonly years = new Map<number, YearTable>();
  /** the table used last: most lookups fall in the same year as the one before */
  private recent: YearTable | null = null;

  constructor(zone: string) {
    if (!isValidTimeZone(zone)) throw new RangeError(`unknown time zone "${zone}"`);
    this.zone = zone;
    this.format = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
  }

  /** Offset (wall minus UTC) in milliseconds at instant `t`. */
  offsetMs(t: number): number {
    const table = this.tableFor(t);
    const i = lastAtOrBefore(table.at, t);
    return i < 0 ? table.startOffset : table.after[i];
  }

  /** The wall reading of instant `t`, as epoch milliseconds of a fake UTC clock. */
  toWall(t: number): number {
    return t + this.offsetMs(t);
  }

  /** True when the offset changes at some instant in (from, to]. Allocates nothing. */
  hasTransitionBetween(from: number, to: number): boolean {
    for (let table = this.tableFor(from); ; table = this.tableFor(table.end)) {
      const i = lastAtOrBefore(table.at, from) + 1;
      if (i < table.at.length && table.at[i] <= to) return true;
      // A year's list includes a change at exactly its end, so moving on once `to` is inside is safe.
      if (table.end > to) return false;
    }
  }

  /** Offset changes at instants in (from, to), ascending. */
  transitionsBetween(from: number, to: number): Array<{ at: number; offsetAfter: number }> {
    const result: Array<{ at: number; offsetAfter: number }> = [];
    for (let y = utcYear(from); y <= utcYear(to); y++) {
      const table = this.year(y);
      for (let i = lastAtOrBefore(table.at, from) + 1; i < table.at.length && table.at[i] < to; i++) {
        result.push({ at: table.at[i], offsetAfter: table.after[i] });
      }
    }
    return result;
  }

  /**
   * The UTC instants whose wall reading lies in [wallFrom, wallTo), as ascending, disjoint, non-adjacent
   * intervals (usually one; none inside a skipped hour; two when the interval straddles a repeated hour).
   */
  wallToUtc(wallFrom: number, wallTo: number): UtcInterval[] {
    const out: UtcInterval[] = [];
    if (!(wallTo > wallFrom)) return out;
    const windowStart = wallFrom - MAX_OFFSET_MS;
    const windowEnd = wallTo + MAX_OFFSET_MS;
    let segmentStart = windowStart;
    let offset = this.offsetMs(windowStart);
    const push = (segmentEnd: number): void => {
      const start = Math.max(segmentStart, wallFrom - offset);
      const end = Math.min(segmentEnd, wallTo - offset);
      if (start >= end) return;
      const last = out[out.length - 1];
      if (last !== undefined && last.end === start) last.end = end;
      else out.push({ start, end });
    };
    for (const transition of this.transitionsBetween(windowStart, windowEnd)) {
      push(transition.at);
      segmentStart = transition.at;
      offset = transition.offsetAfter;
    }
    push(windowEnd);
    return out;
  }

  /** The first instant whose wall reading is `>= wall` (readings never go back across a day boundary). */
  firstInstantAtOrAfterWall(wall: number): number {
    const windowStart = wall - MAX_OFFSET_MS;
    let segmentStart = windowStart;
    let offset = this.offsetMs(windowStart);
    for (const transition of this.transitionsBetween(windowStart, wall + MAX_OFFSET_MS)) {
      const candidate = Math.max(segmentStart, wall - offset);
      if (candidate < transition.at) return candidate;
      segmentStart = transition.at;
      offset = transition.offsetAfter;
    }
    return Math.max(segmentStart, wall - offset);
  }

  private tableFor(t: number): YearTable {
    const recent = this.recent;
    if (recent !== null && t >= recent.start && t < recent.end) return recent;
    this.recent = this.year(utcYear(t));
    return this.recent;
  }

  private year(y: number): YearTable {
    let table = this.years.get(y);
    if (table === undefined) {
      table = this.buildYear(y);
      this.years.set(y, table);
    }
    return table;
  }

  /** Asks the zone database; `GMT`, `GMT+02:00` and `GMT+00:53:28` (local mean time) all occur. */
  private zoneOffsetMs(t: number): number {
    const text = this.format.format(t);
    const match = OFFSET_PATTERN.exec(text);
    if (match === null) throw new Error(`cannot read the UTC offset of ${this.zone} from "${text}"`);
    if (match[1] === undefined) return 0;
    const ms = (Number(match[2]) * 3600 + Number(match[3] ?? 0) * 60 + Number(match[4] ?? 0)) * 1000;
    return match[1] === '+' ? ms : -ms;
  }

  private buildYear(y: number): YearTable {
    const yearStart = Date.UTC(y, 0, 1);
    const yearEnd = Date.UTC(y + 1, 0, 1);
    const table: YearTable = { start: yearStart, end: yearEnd, startOffset: this.zoneOffsetMs(yearStart), at: [], after: [] };
    let previous = yearStart;
    let previousOffset = table.startOffset;
    while (previous < yearEnd) {
      const next = Math.min(previous + SAMPLE_STEP_MS, yearEnd);
      const nextOffset = this.zoneOffsetMs(next);
      if (nextOffset !== previousOffset) {
        // A change exactly at the year's end is listed here too (the next year starts with its
        // offset), so that searches of this year's list see it.
        const at = this.locateTransition(previous, next, previousOffset);
        table.at.push(at);
        table.after.push(this.zoneOffsetMs(at));
      }
      previous = next;
      previousOffset = nextOffset;
    }
    return table;
  }

  /** The first whole second in (lo, hi] whose offset differs from `offsetAtLo`. */
  private locateTransition(lo: number, hi: number, offsetAtLo: number): number {
    let loSecond = Math.floor(lo / 1000);
    let hiSecond = Math.ceil(hi / 1000);
    while (hiSecond - loSecond > 1) {
      const mid = Math.floor((loSecond + hiSecond) / 2);
      if (this.zoneOffsetMs(mid * 1000) === offsetAtLo) loSecond = mid;
      else hiSecond = mid;
    }
    return hiSecond * 1000;
  }
}

const utcYear = (t: number): number => new Date(t).getUTCFullYear();
