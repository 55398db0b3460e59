/** Polls until `cond` holds, or fails naming what it waited for. Bounded; never a timing assertion. */
export const waitFor = async (cond: () => boolean | Promise<boolean>, what: string, ms = 30_000): Promise<void> => {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};
