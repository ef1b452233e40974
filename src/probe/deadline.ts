/**
 * A probe's deadline that is not fooled by a stalled event loop. With a plain timer, a
 * process that was busy (loading modules, a starved machine) wakes up with both the timer
 * and the port's answer pending — and timers run before I/O, so a live port would be
 * called silent. Here time is counted in short steps, and a step that comes late counts as
 * only a little longer than asked. On expiry, pending I/O still gets its turn first.
 * A port that stays silent is given up at `hardLimitFactor` × the deadline of wall time.
 */
const STEP_MS = 50;

export function startDeadline(ms: number, onExpire: () => void, hardLimitFactor = 4): () => void {
  const started = Date.now();
  let counted = 0;
  let ended = false;
  let timer: NodeJS.Timeout | undefined;
  const step = () => {
    const wait = Math.max(1, Math.min(STEP_MS, ms - counted));
    const from = Date.now();
    timer = setTimeout(() => {
      const now = Date.now();
      counted += Math.min(now - from, wait + STEP_MS);
      if (counted < ms && now - started < hardLimitFactor * ms) return step();
      // setImmediate runs after the poll phase: an answer that is already here wins.
      setImmediate(() => {
        if (!ended) onExpire();
      });
    }, wait);
  };
  step();
  return () => {
    ended = true;
    clearTimeout(timer);
  };
}
