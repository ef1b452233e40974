/**
 * Unified diffs of planned edits, with secrets masked on both sides. The diff is
 * computed on the real text (so a changed secret still shows as a changed line) and
 * each shown line is then replaced by its masked twin.
 */
import { structuredPatch } from 'diff';
import { maskLines } from './secrets.js';

export function unifiedDiff(label: string, before: string, after: string, context = 3): string {
  const patch = structuredPatch(label, label, before, after, '', '', { context });
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
