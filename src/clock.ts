/**
 * The clock is passed to code, never read by it: pure decision code takes `now: Date` as an argument,
 * and the I/O edges take a `Clock` so tests and simulations can move time themselves.
 */
export type Clock = { now: () => Date };

export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to; for tests and replays. */
export const manualClock = (start: Date | string | number): Clock & { set: (t: Date | string | number) => void; advance: (ms: number) => void } => {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    set: (t) => { current = new Date(t).getTime(); },
    advance: (ms) => { current += ms; },
  };
};
