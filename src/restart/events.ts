/** Progress of a restart, for live display (wizard) and reports (headless). */
import type { ComponentName } from '../stack/profile.js';

export type RestartEvent =
  | { type: 'stopping'; component: ComponentName; detail: string }
  | { type: 'stopped'; component: ComponentName; detail: string }
  | { type: 'starting'; component: ComponentName; detail: string }
  | { type: 'waiting'; component: ComponentName; check: string; elapsedMs: number }
  | { type: 'ready'; component: ComponentName; elapsedMs: number }
  | { type: 'failed'; component: ComponentName; reason: string; tail: string };

export type RestartListener = (e: RestartEvent) => void;

export interface RestartResult {
  component: ComponentName;
  ok: boolean;
  ms: number;
  /** Why it failed, with the last lines of the pane or log. */
  reason?: string;
  tail?: string;
}

/** A restart that could not be done, with the output that tells why. */
export class RestartError extends Error {
  constructor(
    message: string,
    readonly tail = '',
  ) {
    super(message);
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** For progress while polling fast: true on the first call, then at most once per `ms`. */
export function progressDue(ms = 250): () => boolean {
  let last = 0;
  return () => {
    if (Date.now() - last < ms) return false;
    last = Date.now();
    return true;
  };
}

/** Polls `check` every `everyMs` until it returns true or the deadline passes. */
export async function pollUntil(check: () => boolean | Promise<boolean>, deadline: number, everyMs = 50): Promise<boolean> {
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(everyMs);
  }
}
