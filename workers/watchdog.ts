/**
 * Synchronous work on the worker's own thread, stopped if it runs too long. A vm script's timeout has
 * V8 terminate whatever JavaScript runs under it, whichever context the code came from, so an endless
 * loop or a backtracking pattern ends at the deadline and the thread goes on; the watchdog costs about
 * a tenth of a millisecond per call.
 */
import vm from 'node:vm';

const context = vm.createContext({ work: null as (() => unknown) | null });
const callWork = new vm.Script('work()');

/** The work's result, or `timedOut` when it was stopped after `timeoutMs`. Its own errors are thrown as they are. */
export function withinTime<T>(work: () => T, timeoutMs: number): { value: T } | 'timedOut' {
  context.work = work;
  try {
    return { value: callWork.runInContext(context, { timeout: timeoutMs }) as T };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return 'timedOut';
    throw error;
  } finally {
    context.work = null;
  }
}
