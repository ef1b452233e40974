/**
 * A YAML editor that changes only the bytes of the nodes it edits.
 *
 * eemeli/yaml's Document API finds the nodes (with their source ranges); the edit is
 * then spliced into the original text instead of re-serialising the document, because
 * a round trip can rewrite untouched lines (`010`→`10`, folding, flow padding) and
 * `deleteIn` can take the comment above a key. Every edit is checked by parsing the
 * result again: it must read exactly as the intended value, or the edit is refused.
 */
import { isDeepStrictEqual } from 'node:util';
import {
  Document,
  LineCounter,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseAllDocuments,
  type Node,
  type Pair,
  type YAMLMap,
} from 'yaml';
import { UserError, where } from '../errors.js';

export type YamlScalar = string | number | boolean | null;
export type YamlPath = readonly string[];

interface Located {
  line: number;
  col: number;
}

export class YamlFile {
  private docs: Document.Parsed[] = [];
  private lineCounter = new LineCounter();

  private constructor(
    readonly path: string,
    private text: string,
  ) {
    this.load();
  }

  static parse(text: string, path = 'config.yaml'): YamlFile {
    return new YamlFile(path, text);
  }

  toString(): string {
    return this.text;
  }

  /** Plain JS value of the document holding `path[0]` (or the first document). */
  toJS(docIndex = 0): unknown {
    return this.docs[docIndex]?.toJS({ maxAliasCount: -1 }) ?? null;
  }

  get documentCount(): number {
    return this.docs.length;
  }

  get(path: YamlPath): unknown {
    const node = this.docFor(path).getIn(path, true) as Node | undefined;
    if (node === undefined) return undefined;
    return isScalar(node) ? node.value : (node as { toJSON(): unknown }).toJSON();
  }

  has(path: YamlPath): boolean {
    return this.docFor(path).hasIn(path);
  }

  /** 1-based line of the node at `path` (the key's line for map entries), for evidence. */
  lineOf(path: YamlPath): number | undefined {
    const start = (this.findPair(path, false)?.key as Node | undefined)?.range?.[0];
    return start === undefined ? undefined : this.pos(start).line;
  }

  /** The source text of a 1-based line. */
  lineText(line: number): string {
    return this.text.split(/\r?\n/)[line - 1] ?? '';
  }

  /** Sets a scalar at `path`, creating missing maps on the way. */
  set(path: YamlPath, value: YamlScalar): void {
    this.transact(() => this.setUnchecked(path, value));
  }

  private setUnchecked(path: YamlPath, value: YamlScalar): void {
    const doc = this.docFor(path);
    const expected = this.expectedAfter(doc, path, { value });
    const existing = this.findPair(path, true);
    if (existing) this.replaceValue(existing, value);
    else this.insert(doc, path, value);
    this.verify(doc, expected, path);
  }

  /** Removes the entry at `path` with the lines it occupies; comments above it stay. Returns false when absent. */
  delete(path: YamlPath): boolean {
    return this.transact(() => this.deleteUnchecked(path));
  }

  /** 1-based first and last line of the entry at `path` (key through value). */
  span(path: YamlPath): { first: number; last: number } | undefined {
    const pair = this.findPair(path, false);
    if (!pair) return undefined;
    const first = this.pos((pair.key as Node).range![0]).line;
    const last = this.pos(Math.max(this.pairEnd(pair) - 1, (pair.key as Node).range![0])).line;
    return { first, last };
  }

  /** Runs an edit; if it throws, the text is put back as it was. */
  private transact<T>(edit: () => T): T {
    const before = this.text;
    try {
      return edit();
    } catch (e) {
      if (this.text !== before) {
        this.text = before;
        this.load();
      }
      throw e;
    }
  }

  private deleteUnchecked(path: YamlPath): boolean {
    const doc = this.docFor(path);
    const pair = this.findPair(path, true);
    if (!pair) return false;
    const expected = this.expectedAfter(doc, path, { delete: true });
    const parent = this.parentMap(doc, path);
    if (parent.flow) {
      this.rewriteFlowMap(parent, (js) => delete js[path[path.length - 1]]);
    } else {
      const key = pair.key as Node;
      const start = this.lineStart(key.range![0]);
      this.assertOwnLine(start, key.range![0], path);
      const end = this.endOfLine(this.pairEnd(pair) - 1);
      const parentKey = path.length > 1 && parent.items.length === 1 ? (this.findPair(path.slice(0, -1), true)?.key as Node) : undefined;
      if (parentKey) {
        // The map would be left empty, which YAML reads as null: write `{}` at the end of
        // its key's line (after any anchor or tag, before any comment).
        const lineEnd = this.endOfLine(parentKey.range![1]);
        const line = this.text.slice(parentKey.range![1], lineEnd);
        const at = parentKey.range![1] + line.replace(/(\s+#.*)?\r?\n?$/, '').length;
        this.text = this.text.slice(0, at) + ' {}' + this.text.slice(at, start) + this.text.slice(end);
        this.load();
      } else this.splice(start, end, '');
    }
    this.verify(doc, expected, path);
    return true;
  }

  // ---- reading ---------------------------------------------------------------

  private load(): void {
    this.lineCounter = new LineCounter();
    this.docs = parseAllDocuments(this.text, { lineCounter: this.lineCounter, uniqueKeys: true }) as Document.Parsed[];
    if (!Array.isArray(this.docs)) this.docs = [this.docs as unknown as Document.Parsed];
    for (const doc of this.docs) {
      const err = doc.errors[0];
      if (err) {
        const pos = err.linePos?.[0];
        const what = err.code === 'DUPLICATE_KEY' ? 'duplicate key' : 'YAML syntax error';
        throw new UserError(
          `${where(this.path, pos?.line, pos?.col)}: ${what}: ${err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`,
          `Fix ${this.path} so that it is valid YAML, then run trace-wizard again.`,
        );
      }
    }
    if (this.docs.length === 0) this.docs = [new Document(null) as Document.Parsed];
  }

  private docFor(path: YamlPath): Document.Parsed {
    return this.docs.find((d) => isMap(d.contents) && d.contents.has(path[0])) ?? this.docs[0];
  }

  /** Walks the path; refuses aliases on the way (editing through one would edit its anchor too). */
  private findPair(path: YamlPath, forEdit: boolean): Pair | undefined {
    let node: unknown = this.docFor(path).contents;
    let pair: Pair | undefined;
    for (const key of path) {
      if (isAlias(node)) return this.refuseAlias(node as Node, path, forEdit);
      if (!isMap(node)) return undefined;
      pair = (node as YAMLMap).items.find((p) => isPair(p) && keyName(p) === key) as Pair | undefined;
      if (!pair) return undefined;
      node = pair.value;
    }
    if (isAlias(node)) return this.refuseAlias(node as Node, path, forEdit);
    return pair;
  }

  private refuseAlias(node: Node, path: YamlPath, forEdit: boolean): undefined {
    if (!forEdit) return undefined;
    const pos = this.pos(node.range![0]);
    throw new UserError(
      `${where(this.path, pos.line, pos.col)}: ${path.join('.')} goes through an alias (*${String((node as { source?: string }).source)}); editing it would also change its anchor`,
      `Write the values out in place of the alias in ${this.path}, or edit the file by hand.`,
    );
  }

  private parentMap(doc: Document.Parsed, path: YamlPath): YAMLMap {
    const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
    return parent as YAMLMap;
  }

  // ---- writing ---------------------------------------------------------------

  private replaceValue(pair: Pair, value: YamlScalar): void {
    const node = pair.value as Node | null;
    if (node && isScalar(node) && node.range && node.range[1] > node.range[0]) {
      this.splice(node.range[0], node.range[1], scalarText(value, node.type));
      return;
    }
    if (node && (isMap(node) || isSeq(node)) && !node.flow) {
      throw new UserError(`${this.path}: cannot replace a block collection with a scalar`);
    }
    // `key:` with no value, or a flow collection: put the scalar right after `key:`.
    const key = pair.key as Node;
    const from = key.range![1];
    const to = node?.range ? node.range[1] : from;
    const colon = this.text.indexOf(':', from);
    this.splice(colon + 1, Math.max(to, colon + 1), ` ${scalarText(value)}`);
  }

  /** Inserts the missing part of `path` under the deepest existing map. */
  private insert(doc: Document.Parsed, path: YamlPath, value: YamlScalar): void {
    let depth = 0;
    let map: unknown = doc.contents;
    let lastPair: Pair | undefined;
    while (depth < path.length - 1 && isMap(map)) {
      const p = (map as YAMLMap).items.find((i) => keyName(i) === path[depth]) as Pair | undefined;
      if (!p) break;
      lastPair = p;
      map = p.value;
      depth++;
    }
    const rest = path.slice(depth);
    if (isMap(map) && (map as YAMLMap).flow) {
      this.rewriteFlowMap(map as YAMLMap, (js) => setDeep(js, rest, value));
      return;
    }
    if (map !== null && map !== undefined && !isMap(map) && !(isScalar(map) && map.value === null)) {
      throw new UserError(`${this.path}: ${path.slice(0, depth).join('.')} is not a map; cannot set ${path.join('.')}`);
    }
    const step = this.indentStep();
    let at: number;
    let indent: number;
    if (isMap(map) && (map as YAMLMap).items.length > 0) {
      const items = (map as YAMLMap).items as Pair[];
      indent = this.pos((items[0].key as Node).range![0]).col - 1;
      at = this.endOfLine(this.pairEnd(items[items.length - 1]) - 1);
    } else if (lastPair) {
      // `key:` with an empty value: children go on the lines after it.
      indent = this.pos((lastPair.key as Node).range![0]).col - 1 + step;
      at = this.endOfLine((lastPair.key as Node).range![1]);
      if (lastPair.value && isScalar(lastPair.value) && (lastPair.value as Node).range) {
        at = this.endOfLine((lastPair.value as Node).range![1]);
      }
    } else {
      indent = 0;
      at = this.text.length;
    }
    const eol = this.text.includes('\r\n') ? '\r\n' : '\n';
    const lines = rest.map((k, i) => {
      const pad = ' '.repeat(indent + i * step);
      return i === rest.length - 1 ? `${pad}${keyText(k)}: ${scalarText(value)}` : `${pad}${keyText(k)}:`;
    });
    const needsBreak = at > 0 && this.text[at - 1] !== '\n';
    this.splice(at, at, (needsBreak ? eol : '') + lines.join(eol) + eol);
  }

  private rewriteFlowMap(map: YAMLMap, change: (js: Record<string, unknown>) => void): void {
    const js = map.toJSON() as Record<string, unknown>;
    change(js);
    this.splice(map.range![0], map.range![1], flowText(js));
  }

  /** End offset of a pair's value, or of its key when it has none. */
  private pairEnd(pair: Pair): number {
    const v = pair.value as Node | null;
    if (v?.range && v.range[1] > v.range[0]) return v.range[1];
    return (pair.key as Node).range![1];
  }

  private splice(from: number, to: number, insert: string): void {
    this.text = this.text.slice(0, from) + insert + this.text.slice(to);
    this.load();
  }

  private verify(before: Document.Parsed, expected: unknown, path: YamlPath): void {
    const index = this.docs.length === 1 ? 0 : Math.max(0, this.docIndexOf(before));
    const actual = this.docs[index]?.toJS({ maxAliasCount: -1 });
    if (!isDeepStrictEqual(actual, expected)) {
      throw new UserError(
        `${this.path}: refusing to edit ${path.join('.')}: the result would not read as intended`,
        'Edit this part of the file by hand.',
      );
    }
  }

  private docIndexOf(doc: Document.Parsed): number {
    return doc.range ? this.docs.findIndex((d) => d.range?.[0] === doc.range[0]) : 0;
  }

  private expectedAfter(doc: Document.Parsed, path: YamlPath, op: { value?: YamlScalar; delete?: true }): unknown {
    const js = structuredClone(doc.toJS({ maxAliasCount: -1 }) ?? {});
    if (op.delete) {
      const parent = path.slice(0, -1).reduce<Record<string, unknown>>((o, k) => o[k] as Record<string, unknown>, js);
      delete parent[path[path.length - 1]];
    } else setDeep(js, path, op.value ?? null);
    return js;
  }

  // ---- positions -------------------------------------------------------------

  private pos(offset: number): Located {
    return this.lineCounter.linePos(offset);
  }

  private lineStart(offset: number): number {
    return this.text.lastIndexOf('\n', offset - 1) + 1;
  }

  private endOfLine(offset: number): number {
    const nl = this.text.indexOf('\n', offset);
    return nl === -1 ? this.text.length : nl + 1;
  }

  private assertOwnLine(lineStart: number, keyStart: number, path: YamlPath): void {
    if (this.text.slice(lineStart, keyStart).trim() !== '') {
      const pos = this.pos(keyStart);
      throw new UserError(`${where(this.path, pos.line, pos.col)}: ${path.join('.')} shares its line with other content; edit it by hand`);
    }
  }

  /** The indentation step the file uses (2 when it cannot tell). */
  private indentStep(): number {
    const m = /^([^\s#][^\n]*:\s*\n)( +)\S/m.exec(this.text);
    return m ? m[2].length : 2;
  }
}

function keyName(item: unknown): string | undefined {
  if (!isPair(item)) return undefined;
  const k = item.key;
  return isScalar(k) ? String(k.value) : undefined;
}

function setDeep(js: Record<string, unknown>, path: YamlPath, value: unknown): void {
  let o = js;
  for (const k of path.slice(0, -1)) {
    if (typeof o[k] !== 'object' || o[k] === null) o[k] = {};
    o = o[k] as Record<string, unknown>;
  }
  o[path[path.length - 1]] = value;
}

const PLAIN_SAFE = /^[A-Za-z0-9_./@-][A-Za-z0-9_./@:+-]*$/;

function keyText(key: string): string {
  return PLAIN_SAFE.test(key) && !/:$/.test(key) ? key : JSON.stringify(key);
}

/** A scalar in the original quoting style where it can hold the value. */
function scalarText(value: YamlScalar, style?: string): string {
  if (value === null) return 'null';
  if (typeof value !== 'string') return String(value);
  if (style === 'QUOTE_SINGLE' && !/[\n\r]/.test(value)) return `'${value.replace(/'/g, "''")}'`;
  if (style === 'QUOTE_DOUBLE') return JSON.stringify(value);
  const readsAsString = PLAIN_SAFE.test(value) && !/^(true|false|null|yes|no|on|off|~|[-+]?[\d.]+(e[-+]?\d+)?|0x[\da-f]+|0o[0-7]+)$/i.test(value);
  return readsAsString ? value : JSON.stringify(value);
}

function flowText(value: unknown): string {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value).map(([k, v]) => `${keyText(k)}: ${flowText(v)}`);
    return `{${entries.join(', ')}}`;
  }
  if (Array.isArray(value)) return `[${value.map(flowText).join(', ')}]`;
  return scalarText(value as YamlScalar);
}
