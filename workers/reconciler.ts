/**
 * Every worker process sweeps for stuck work (shared/recovery.ts) every config.reconcileIntervalMs, so
 * documents whose jobs Redis lost, or whose failure could not be recorded, go on without anyone
 * running a command. A sweep that fails (Postgres or Redis away) is tried again at the next tick.
 */
import { describeError } from '../shared/errors';
import { findStuckWork, recoverStuckWork, type RecoveryDeps } from '../shared/recovery';

export interface Reconciler {
  /** Runs one sweep now (tests, and the first sweep at start). */
  sweep(): Promise<void>;
  close(): Promise<void>;
}

export function startReconciler(deps: RecoveryDeps, intervalMs: number, graceMs?: number): Reconciler {
  let running: Promise<void> | null = null;
  let failing = false;
  const sweep = (): Promise<void> => {
    running ??= (async () => {
      try {
        const recovered = await recoverStuckWork(deps, await findStuckWork(deps, graceMs));
        if (recovered.requeued.length > 0) console.warn(`[reconciler] 重新排队 ${recovered.requeued.length} 份文档 / requeued ${recovered.requeued.length} stuck documents`);
        failing = false;
      } catch (error) {
        // One line per outage, not one per tick.
        if (!failing) console.warn(`[reconciler] sweep failed, will try again: ${describeError(error)}`);
        failing = true;
      } finally {
        running = null;
      }
    })();
    return running;
  };
  const timer = setInterval(() => void sweep(), intervalMs);
  timer.unref();
  return {
    sweep,
    close: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
