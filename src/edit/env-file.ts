/**
 * A line-level .env editor that keeps every byte it does not mean to change:
 * comments, order, blank lines, `export ` prefixes, quoting, CRLF/LF, BOM, the
 * trailing newline and multi-line quoted values. No library edits .env files this
 * way, so we read the file ourselves and check our reading against `dotenv.parse`
 * (the semantics every Node user has) before and after each edit.
 */
import dotenv from 'dotenv';
import { UserError, where } from '../errors.js';

export interface EnvEntry {
  key: string;
  value: string;
  /** 0-based index of the first and last physical line of this entry. */
  firstLine: number;
  lastLine: number;
  /** Everything before the value on the first line: indent, `export `, key and separator. */
  head: string;
  quote: '' | '"' | "'" | '`';
  /** Whatever follows the value on its last line (spaces and an inline comment). */
  tail: string;
}

interface Line {
  text: string;
  eol: string;
}

const ENTRY_HEAD = /^(\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*|:\s+))(.*)$/;
const BOM = '\uFEFF';

export class EnvFile {
  private constructor(
    readonly path: string,
    private readonly bom: string,
    private lines: Line[],
    private entries: EnvEntry[],
  ) {}

  static parse(text: string, path = '.env'): EnvFile {
    const bom = text.startsWith(BOM) ? BOM : '';
    const lines = splitLines(bom ? text.slice(1) : text);
    const entries = readEntries(lines, path);
    const file = new EnvFile(path, bom, lines, entries);
    const ours = file.values();
    const theirs = dotenv.parse(text);
    if (!sameMap(ours, theirs)) {
      const key = firstDifference(ours, theirs);
      const entry = key ? file.entry(key) : undefined;
      throw new UserError(
        `${where(path, entry ? entry.firstLine + 1 : undefined)}: this .env file uses a form that trace-wizard cannot edit safely` +
          (key ? ` (key ${key} reads differently than dotenv reads it)` : ''),
        'Edit that line by hand into plain KEY=value form, then run trace-wizard again.',
      );
    }
    return file;
  }

  toString(): string {
    return this.bom + this.lines.map((l) => l.text + l.eol).join('');
  }

  /** The effective values, as dotenv reads them (last duplicate wins). */
  values(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.entries) out[e.key] = e.value;
    return out;
  }

  /** The effective (last) entry for a key. */
  entry(key: string): EnvEntry | undefined {
    return this.entries.filter((e) => e.key === key).at(-1);
  }

  /** Earlier occurrences of a key that dotenv ignores because a later one wins. */
  shadowed(key: string): EnvEntry[] {
    return this.entries.filter((e) => e.key === key).slice(0, -1);
  }

  get(key: string): string | undefined {
    return this.entry(key)?.value;
  }

  /** 1-based line number of the effective entry, for evidence. */
  lineOf(key: string): number | undefined {
    const e = this.entry(key);
    return e ? e.firstLine + 1 : undefined;
  }

  /** The physical text of a key's effective entry (for evidence; may hold secrets: mask before printing). */
  lineText(key: string): string | undefined {
    const e = this.entry(key);
    return e ? this.lines.slice(e.firstLine, e.lastLine + 1).map((l) => l.text).join('\n') : undefined;
  }

  /**
   * Sets a key. An existing key is rewritten in place (the last occurrence, the one
   * that counts) keeping its quoting where the value allows; a new key goes after the
   * last OTEL_ entry, or at the end.
   */
  set(key: string, value: string): void {
    if (!/^[\w.-]+$/.test(key)) throw new UserError(`Invalid .env key: ${key}`);
    this.transact(() => this.setUnchecked(key, value));
    this.assertReadsOrUndo(key, value);
  }

  private setUnchecked(key: string, value: string): void {
    const existing = this.entry(key);
    const eol = this.dominantEol();
    if (existing) {
      const quote = chooseQuote(value, existing.quote);
      const newLines = (existing.head + quoteValue(value, quote) + existing.tail).split('\n');
      const lastEol = this.lines[existing.lastLine].eol;
      const replacement = newLines.map((text, i) => ({ text, eol: i === newLines.length - 1 ? lastEol : eol }));
      this.lines.splice(existing.firstLine, existing.lastLine - existing.firstLine + 1, ...replacement);
    } else {
      const quote = chooseQuote(value, '');
      const newLines = `${key}=${quoteValue(value, quote)}`.split('\n').map((text) => ({ text, eol }));
      const anchor = this.entries.filter((e) => e.key.startsWith('OTEL_')).at(-1);
      const at = anchor ? anchor.lastLine + 1 : this.lines.length;
      // Appending after a last line without a newline: give that line one first.
      if (at > 0 && this.lines[at - 1].eol === '') {
        this.lines[at - 1].eol = eol;
        newLines[newLines.length - 1].eol = '';
      }
      this.lines.splice(at, 0, ...newLines);
    }
  }

  /** Removes every occurrence of a key (removing only the last would revive an earlier one). */
  delete(key: string): number {
    const doomed = this.entries.filter((e) => e.key === key).reverse();
    this.transact(() => this.deleteUnchecked(doomed));
    this.assertReadsOrUndo(key, undefined);
    return doomed.length;
  }

  private deleteUnchecked(doomed: EnvEntry[]): void {
    for (const e of doomed) {
      const removedEol = this.lines[e.lastLine].eol;
      this.lines.splice(e.firstLine, e.lastLine - e.firstLine + 1);
      // Removing the final line of a file without a trailing newline: keep it without one.
      if (removedEol === '' && e.firstLine === this.lines.length && this.lines.length > 0) this.lines[this.lines.length - 1].eol = '';
    }
  }

  private undo: Line[] | undefined;

  /** Runs an edit, keeping the previous lines so that a refused edit leaves the file as it was. */
  private transact(edit: () => void): void {
    this.undo = this.lines.map((l) => ({ ...l }));
    try {
      edit();
      this.entries = readEntries(this.lines, this.path);
    } catch (e) {
      this.rollbackEdit();
      throw e;
    }
  }

  private rollbackEdit(): void {
    if (this.undo) this.lines = this.undo;
    this.entries = readEntries(this.lines, this.path);
  }

  /** After an edit, dotenv must read exactly what we meant; otherwise the edit is undone and refused. */
  private assertReadsOrUndo(key: string, intended: string | undefined): void {
    const theirs = dotenv.parse(this.toString());
    if (theirs[key] !== intended || !sameMap(this.values(), theirs)) {
      this.rollbackEdit();
      throw new UserError(
        `${this.path}: refusing to write ${key}: the edited file would not read back as intended`,
        'Set the value by hand, or simplify the value (no mixed quotes and newlines).',
      );
    }
  }

  private dominantEol(): string {
    const crlf = this.lines.filter((l) => l.eol === '\r\n').length;
    const lf = this.lines.filter((l) => l.eol === '\n').length;
    return crlf > lf ? '\r\n' : '\n';
  }
}

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  const re = /([^\r\n]*)(\r\n|\n|\r|$)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    if (m[0] === '' && m.index >= text.length) break;
    lines.push({ text: m[1], eol: m[2] });
    if (m[2] === '') break;
  }
  return lines;
}

function readEntries(lines: Line[], path: string): EnvEntry[] {
  const entries: EnvEntry[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = ENTRY_HEAD.exec(lines[i].text);
    if (!m || /^\s*#/.test(lines[i].text)) continue;
    const [, headNoSpace, key, rest] = m;
    const lead = /^\s*/.exec(rest)![0];
    const head = headNoSpace + lead;
    const body = rest.slice(lead.length);
    const q = body[0];
    if (q === '"' || q === "'" || q === '`') {
      const found = findClosingQuote(lines, i, head.length + 1, q);
      if (!found) {
        throw new UserError(
          `${where(path, i + 1, head.length + 1)}: unterminated ${q} quote in the value of ${key}`,
          `Close the quote in ${path}, then run trace-wizard again.`,
        );
      }
      const { line: endLine, col } = found;
      const after = lines[endLine].text.slice(col + 1);
      if (/^\s*(#.*)?$/.test(after)) {
        const raw =
          endLine === i
            ? lines[i].text.slice(head.length + 1, col)
            : [lines[i].text.slice(head.length + 1), ...lines.slice(i + 1, endLine).map((l) => l.text), lines[endLine].text.slice(0, col)].join('\n');
        entries.push({ key, value: unquote(raw, q), firstLine: i, lastLine: endLine, head, quote: q, tail: after });
        i = endLine;
        continue;
      }
      // Text after the closing quote: dotenv then reads the line unquoted (below).
    }
    const hash = body.indexOf('#');
    const valuePart = hash === -1 ? body : body.slice(0, hash);
    const value = valuePart.trim();
    const tail = body.slice(valuePart.trimEnd().length);
    entries.push({ key, value, firstLine: i, lastLine: i, head, quote: '', tail });
  }
  return entries;
}

/** Finds the closing quote, skipping backslash-escaped quotes as dotenv's pattern does. */
function findClosingQuote(lines: Line[], line: number, col: number, q: string): { line: number; col: number } | undefined {
  for (let l = line; l < lines.length; l++) {
    const text = lines[l].text;
    for (let c = l === line ? col : 0; c < text.length; c++) {
      if (text[c] === '\\' && text[c + 1] === q) c++;
      else if (text[c] === q) return { line: l, col: c };
    }
  }
  return undefined;
}

function unquote(raw: string, q: string): string {
  return q === '"' ? raw.replace(/\\n/g, '\n').replace(/\\r/g, '\r') : raw;
}

/** Keeps the old quoting when it can hold the value, otherwise the simplest that can. */
function chooseQuote(value: string, previous: EnvEntry['quote']): EnvEntry['quote'] {
  const fits = (q: EnvEntry['quote']): boolean => {
    if (q === '') return value !== '' && /^[^\s#'"`\r\n\\][^#\r\n]*$/.test(value) && value.trim() === value;
    if (q === '"') return !value.includes('"') && !/\\[nr]/.test(value);
    return !value.includes(q);
  };
  if (previous !== '' && fits(previous)) return previous;
  if (value === '') return previous;
  for (const q of ['', "'", '"', '`'] as const) if (fits(q)) return q;
  return '"';
}

function quoteValue(value: string, q: EnvEntry['quote']): string {
  if (q === '"') return `"${value.replace(/\r/g, '\\r')}"`;
  return `${q}${value}${q}`;
}

function sameMap(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

function firstDifference(a: Record<string, string>, b: Record<string, string>): string | undefined {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].find((k) => a[k] !== b[k]);
}
