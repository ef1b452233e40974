/** Waiting on Ink's frames: assert on what was rendered, before unmount (CI=true pitfall). */
export async function waitForFrame(frames: () => string[], match: (f: string) => boolean, ms = 20_000): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const hit = frames().findLast(match);
    if (hit !== undefined) return hit;
    if (Date.now() > deadline) throw new Error(`no frame matched within ${ms} ms; last frame:\n${frames().at(-1) ?? '(none)'}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** `useInput` starts listening one tick after the frame that shows it. */
export const tick = (ms = 50) => new Promise((r) => setTimeout(r, ms));

export const KEY = { enter: '\r', down: '\u001B[B', up: '\u001B[A', escape: '\u001B', ctrlC: '\u0003' };
