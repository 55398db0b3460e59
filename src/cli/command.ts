/** A `mailroom` sub-command: parses its own argv (node:util parseArgs) and returns the exit code. */
export type Command = {
  name: string;
  summary: string;
  run: (argv: string[]) => Promise<number>;
};
