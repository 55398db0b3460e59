// Worker-thread entry of a parallel backtest: registers tsx's loader in this thread, then runs the
// TypeScript worker (src/rules/backtest-worker.ts).
import { register } from 'tsx/esm/api';

register();
await import('./backtest-worker.ts');
