/**
 * A probe's deadline that is not fooled by a stalled event loop. With a plain timer, a
 * process that was busy (loading modules, a starved machine) wakes up with both the timer
 * and the port's answer pending — and timers run before I/O, so a live port would be
 * called silent. Here time counts only while the loop could have seen an answer: a tick
 * that comes late counts as one tick. On expiry, pending I/O still gets its turn first.
 * A port that stays silent is given up at `hardLimitFactor` × the deadline of wall time.
 */
const TICK_MS = 50;

export function startDeadline(ms: number, onExpire: () => void, hardLimitFactor = 4): () => void {
  const started = Date.now();
  let counted = 0;
  let last = started;
  let ended = false;
  const timer = setInterval(() => {
    const now = Date.now();
    counted += Math.min(now - last, 2 * TICK_MS);
    last = now;
    if (counted < ms && now - started < hardLimitFactor * ms) return;
    clearInterval(timer);
    // setImmediate runs after the poll phase: an answer that is already here wins.
    setImmediate(() => {
      if (!ended) onExpire();
    });
  }, Math.min(TICK_MS, ms));
  return () => {
    ended = true;
    clearInterval(timer);
  };
}
