/**
 * Watches the worker's event loop: reading files happens in sandbox processes (sandbox.ts), so the
 * loop should never stall; a stall over GONGKAI_LOOP_LAG_WARN_MS (200 ms) is logged with its length.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

const CHECK_EVERY_MS = 1000;

export function watchEventLoopLag(warnAboveMs = Number(process.env.GONGKAI_LOOP_LAG_WARN_MS || 200)): () => void {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const timer = setInterval(() => {
    const maxMs = histogram.max / 1e6;
    histogram.reset();
    if (maxMs > warnAboveMs) console.error(`[workers] event loop lag ${Math.round(maxMs)} ms (pid ${process.pid})`);
  }, CHECK_EVERY_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    histogram.disable();
  };
}
