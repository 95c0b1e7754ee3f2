/**
 * The watchdog (workers/watchdog.ts) that lets parse run on a worker's own thread: it hands back the
 * work's result or error as they are, and stops work that outruns its deadline — a loop, a pattern
 * that backtracks — after which the thread goes on working.
 */
import { PermanentError } from '../../shared/errors';
import { withinTime } from '../../workers/watchdog';

describe('withinTime', () => {
  it('returns the result of work that finishes in time', () => {
    expect(withinTime(() => [1, 2, 3].map((value) => value * 2), 1000)).toEqual({ value: [2, 4, 6] });
  });

  it('throws the work’s own errors as they are, class included', () => {
    const error = (() => {
      try {
        return withinTime(() => {
          throw new PermanentError('NOT_A_REPORT', '不是年度报告');
        }, 1000);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ code: 'NOT_A_REPORT' });
  });

  it('stops a pattern that backtracks exponentially, and an endless loop, at the deadline; then works again', () => {
    const started = Date.now();
    const backtracking = /^(\d+)+$/;
    expect(withinTime(() => backtracking.test(`${'1'.repeat(40)}x`), 200)).toBe('timedOut');
    expect(
      withinTime(() => {
        for (;;);
      }, 200),
    ).toBe('timedOut');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(withinTime(() => 'after', 200)).toEqual({ value: 'after' });
  });
});
