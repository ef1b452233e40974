/**
 * Unified diffs of planned edits, with secrets masked on both sides. The diff is
 * computed on the real text (so a changed secret still shows as a changed line) and
 * each shown line is then replaced by its masked twin.
 */
import { structuredPatch, type StructuredPatch } from 'diff';
import { maskLines } from './secrets.js';

export function unifiedDiff(label: string, before: string, after: string, context = 3): string {
  const patch = trimmedPatch(label, before, after, context);
  if (patch.hunks.length === 0) return '';
  const oldMasked = maskLines(before.split(/\r?\n/));
  const newMasked = maskLines(after.split(/\r?\n/));
  const out = [`--- a/${label}`, `+++ b/${label}`];
  for (const h of patch.hunks) {
    out.push(`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`);
    let o = h.oldStart - 1;
    let n = h.newStart - 1;
    for (const line of h.lines) {
      const sign = line[0];
      if (sign === '\\') continue; // "\ No newline at end of file"
      if (sign === '-') out.push('-' + oldMasked[o++]);
      else if (sign === '+') out.push('+' + newMasked[n++]);
      else {
        out.push(' ' + newMasked[n++]);
        o++;
      }
    }
  }
  return out.join('\n') + '\n';
}

/**
 * The patch of the lines that differ and their context only: the unchanged head and tail of
 * a large file are left out of the diff computation, and the hunks are moved back to their
 * real line numbers.
 */
function trimmedPatch(label: string, before: string, after: string, context: number): StructuredPatch {
  const a = before.split(/(?<=\n)/);
  const b = after.split(/(?<=\n)/);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const skip = Math.max(0, head - context);
  const keepTail = Math.max(0, tail - context);
  const patch = structuredPatch(label, label, a.slice(skip, a.length - keepTail).join(''), b.slice(skip, b.length - keepTail).join(''), '', '', { context });
  for (const h of patch.hunks) {
    h.oldStart += skip;
    h.newStart += skip;
  }
  return patch;
}

/** Colours a unified diff for a terminal: red removals, green additions, cyan hunk heads. */
export function colourDiff(diff: string, colour: boolean): string {
  if (!colour) return diff;
  return diff
    .split('\n')
    .map((l) =>
      l.startsWith('+++') || l.startsWith('---') ? `\x1b[1m${l}\x1b[0m`
      : l.startsWith('+') ? `\x1b[32m${l}\x1b[0m`
      : l.startsWith('-') ? `\x1b[31m${l}\x1b[0m`
      : l.startsWith('@@') ? `\x1b[36m${l}\x1b[0m`
      : l,
    )
    .join('\n');
}
