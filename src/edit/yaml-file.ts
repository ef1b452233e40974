/**
 * A YAML editor that changes only the bytes of the nodes it edits.
 *
 * eemeli/yaml's Document API finds the nodes (with their source ranges); the edit is
 * then spliced into the original text instead of re-serialising the document, because
 * a round trip can rewrite untouched lines (`010`→`10`, folding, flow padding) and
 * `deleteIn` can take the comment above a key. Every edit is checked by parsing the
 * result again: it must read exactly as the intended value, or the edit is refused.
 *
 * Re-parsing a 10,000-line file after each edit would cost ~100 ms a time, so an edit is
 * scoped: every byte it changes lies inside one block map (its scope), and only that map's
 * lines are parsed again and put in place of the old node; the rest of the text is
 * untouched by construction, so its nodes only move. A scope that cannot stand on its own
 * (the document root, anchors or aliases, a tag, a map opened by `- `) means the whole
 * text is parsed again, as does any region that does not parse alone.
 */
import { isDeepStrictEqual } from 'node:util';
import {
  Document,
  LineCounter,
  isAlias,
  isDocument,
  isMap,
  isPair,
  isScalar,
  isSeq,
  parseAllDocuments,
  parseDocument,
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

/** The block map an edit stays inside: `map` is the value of `holder`, `depth` keys down the path. */
interface Scope {
  docIndex: number;
  map?: YAMLMap;
  holder?: Pair;
  depth: number;
  /** Offsets of the map's lines in the text before the edit: its first line through the last line that belongs to it. */
  start: number;
  end: number;
}

type Op = { value: YamlScalar } | { delete: true };

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
    const existing = this.findPair(path, true);
    const target = existing ? undefined : this.deepestExisting(doc, path);
    // A new entry goes into the deepest existing map; `key:` with no value takes it on the lines after its own.
    const scope = this.scopeOf(doc, path, existing ? path.length - 1 : target!.lastPair && !isMap(target!.map) ? target!.depth - 1 : target!.depth);
    const expected = this.expectedAfter(scope, path, { value });
    if (existing) this.replaceValue(existing, value, scope);
    else this.insert(path, value, target!, scope);
    this.verify(scope, expected, path);
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
    const parent = this.parentMap(doc, path);
    const emptiesParent = !parent.flow && path.length > 1 && parent.items.length === 1;
    const scope = this.scopeOf(doc, path, emptiesParent ? path.length - 2 : path.length - 1);
    const expected = this.expectedAfter(scope, path, { delete: true });
    if (parent.flow) {
      this.rewriteFlowMap(parent, (js) => delete js[path[path.length - 1]], scope);
    } else {
      const key = pair.key as Node;
      const start = this.lineStart(key.range![0]);
      this.assertOwnLine(start, key.range![0], path);
      const end = this.endOfLine(this.pairEnd(pair) - 1);
      if (emptiesParent) {
        // The map would be left empty, which YAML reads as null: write `{}` at the end of
        // its key's line (after any anchor or tag, before any comment).
        const parentKey = this.findPair(path.slice(0, -1), true)!.key as Node;
        const lineEnd = this.endOfLine(parentKey.range![1]);
        const line = this.text.slice(parentKey.range![1], lineEnd);
        const at = parentKey.range![1] + line.replace(/(\s+#.*)?\r?\n?$/, '').length;
        this.splice(at, end, ' {}' + this.text.slice(at, start), scope);
      } else this.splice(start, end, '', scope);
    }
    this.verify(scope, expected, path);
    return true;
  }

  // ---- reading ---------------------------------------------------------------

  private load(): void {
    this.lineCounter = new LineCounter();
    // Duplicate keys are found by firstDuplicateKey: the library's own check is quadratic in a map's size.
    this.docs = parseAllDocuments(this.text, { lineCounter: this.lineCounter, uniqueKeys: false }) as Document.Parsed[];
    if (!Array.isArray(this.docs)) this.docs = [this.docs as unknown as Document.Parsed];
    const fix = `Fix ${this.path} so that it is valid YAML, then run trace-wizard again.`;
    for (const doc of this.docs) {
      const err = doc.errors[0];
      if (err) {
        const pos = err.linePos?.[0];
        throw new UserError(`${where(this.path, pos?.line, pos?.col)}: YAML syntax error: ${err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`, fix);
      }
      const duplicate = firstDuplicateKey(doc.contents);
      if (duplicate) {
        const pos = this.pos(duplicate.range![0]);
        throw new UserError(`${where(this.path, pos.line, pos.col)}: duplicate key: Map keys must be unique`, fix);
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

  /**
   * The deepest block map below the root, at most `maxDepth` keys down `path`, that can be
   * parsed on its own; without one, the scope is the whole text.
   */
  private scopeOf(doc: Document.Parsed, path: YamlPath, maxDepth: number): Scope {
    const docIndex = this.docs.indexOf(doc);
    const whole: Scope = { docIndex, depth: 0, start: 0, end: this.text.length };
    let node: unknown = doc.contents;
    let found: { map: YAMLMap; holder: Pair; depth: number } | undefined;
    for (let depth = 1; depth <= maxDepth && isMap(node); depth++) {
      const holder = (node as YAMLMap).items.find((i) => keyName(i) === path[depth - 1]) as Pair | undefined;
      if (!holder) break;
      node = holder.value;
      if (isMap(node) && !node.flow) found = { map: node as YAMLMap, holder, depth };
    }
    if (!found?.map.range || found.map.tag || found.map.anchor || hasAnchorsOrAliases(found.map)) return whole;
    const start = this.lineStart(found.map.range[0]);
    if (this.text.slice(start, found.map.range[0]).trim() !== '') return whole;
    // Lines that follow the map and are blank, comments, or indented as deep belong to its region.
    const indent = found.map.range[0] - start;
    let end = found.map.range[2];
    if (end > 0 && this.text[end - 1] !== '\n') end = this.endOfLine(end);
    while (end < this.text.length) {
      const line = this.text.slice(end, this.endOfLine(end));
      const content = line.trimStart();
      if (content.trim() !== '' && !content.startsWith('#') && line.length - content.length < indent) break;
      end += line.length;
    }
    return { docIndex, ...found, start, end };
  }

  private parentMap(doc: Document.Parsed, path: YamlPath): YAMLMap {
    const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
    return parent as YAMLMap;
  }

  // ---- writing ---------------------------------------------------------------

  private replaceValue(pair: Pair, value: YamlScalar, scope: Scope): void {
    const node = pair.value as Node | null;
    if (node && isScalar(node) && node.range && node.range[1] > node.range[0]) {
      this.splice(node.range[0], node.range[1], scalarText(value, node.type), scope);
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
    this.splice(colon + 1, Math.max(to, colon + 1), ` ${scalarText(value)}`, scope);
  }

  /** Where a missing `path` would go: the node `depth` keys down (the deepest that exists), and the pair holding it. */
  private deepestExisting(doc: Document.Parsed, path: YamlPath): { depth: number; map: unknown; lastPair?: Pair } {
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
    return { depth, map, lastPair };
  }

  /** Inserts the missing part of `path` under the deepest existing map. */
  private insert(path: YamlPath, value: YamlScalar, target: { depth: number; map: unknown; lastPair?: Pair }, scope: Scope): void {
    const { depth, map, lastPair } = target;
    const rest = path.slice(depth);
    if (isMap(map) && (map as YAMLMap).flow) {
      this.rewriteFlowMap(map as YAMLMap, (js) => setDeep(js, rest, value), scope);
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
    this.splice(at, at, (needsBreak ? eol : '') + lines.join(eol) + eol, scope);
  }

  private rewriteFlowMap(map: YAMLMap, change: (js: Record<string, unknown>) => void, scope: Scope): void {
    const js = map.toJSON() as Record<string, unknown>;
    change(js);
    this.splice(map.range![0], map.range![1], flowText(js), scope);
  }

  /** End offset of a pair's value, or of its key when it has none. */
  private pairEnd(pair: Pair): number {
    const v = pair.value as Node | null;
    if (v?.range && v.range[1] > v.range[0]) return v.range[1];
    return (pair.key as Node).range![1];
  }

  /** Changes text inside the scope's lines, then parses the scope's new lines again (or the whole text). */
  private splice(from: number, to: number, insert: string, scope: Scope): void {
    this.text = this.text.slice(0, from) + insert + this.text.slice(to);
    if (!this.reparseScope(scope, insert.length - (to - from))) this.load();
  }

  /** Parses the scope's lines alone and puts the result in place of the old map; false when they cannot stand alone. */
  private reparseScope(scope: Scope, delta: number): boolean {
    if (!scope.map || !scope.holder) return false;
    const region = parseDocument(this.text.slice(scope.start, scope.end + delta), { uniqueKeys: false });
    const map = region.contents;
    if (region.errors.length > 0 || !isMap(map) || map.flow || firstDuplicateKey(map) || hasAnchorsOrAliases(map)) return false;
    // Everything after the old region moves by delta; the new map's offsets start at the region's.
    for (const doc of this.docs) shiftRanges(doc, scope.end, delta);
    shiftRanges(map, 0, scope.start);
    scope.holder.value = map;
    this.lineCounter = new LineCounter();
    this.lineCounter.addNewLine(0);
    for (let i = this.text.indexOf('\n'); i !== -1; i = this.text.indexOf('\n', i + 1)) this.lineCounter.addNewLine(i + 1);
    return true;
  }

  /** The value at the scope after an edit must be the value before it with the edit applied: nothing else may change. */
  private verify(scope: Scope, expected: unknown, path: YamlPath): void {
    const doc = this.docs[scope.docIndex];
    const node = scope.depth === 0 ? doc : (doc?.getIn(path.slice(0, scope.depth), true) as YAMLMap | undefined);
    const actual = doc && node ? (scope.depth === 0 ? doc.toJS({ maxAliasCount: -1 }) : (node as YAMLMap).toJS(doc, { maxAliasCount: -1 })) : undefined;
    if (!isDeepStrictEqual(actual, expected)) {
      throw new UserError(
        `${this.path}: refusing to edit ${path.join('.')}: the result would not read as intended`,
        'Edit this part of the file by hand.',
      );
    }
  }

  private expectedAfter(scope: Scope, path: YamlPath, op: Op): unknown {
    const doc = this.docs[scope.docIndex];
    const before = scope.map ? scope.map.toJS(doc, { maxAliasCount: -1 }) : doc.toJS({ maxAliasCount: -1 });
    const js = structuredClone(before ?? {});
    const rel = path.slice(scope.depth);
    if ('delete' in op) {
      const parent = rel.slice(0, -1).reduce<Record<string, unknown>>((o, k) => o[k] as Record<string, unknown>, js);
      delete parent[rel[rel.length - 1]];
    } else setDeep(js, rel, op.value);
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

/**
 * Calls `fn` on every node under `root` (keys and values, depth first) until it returns
 * true. A plain walk: the library's visit() builds a frozen path per node, slow on big files.
 */
function someNode(root: unknown, fn: (node: Node) => boolean | void): boolean {
  if (!root || typeof root !== 'object') return false;
  if (isPair(root)) return someNode(root.key, fn) || someNode(root.value, fn);
  if (fn(root as Node)) return true;
  return (isMap(root) || isSeq(root)) && root.items.some((item) => someNode(item, fn));
}

/** The first key that repeats one before it in the same map (compared as the library's own check does: scalar values). */
function firstDuplicateKey(root: unknown): Node | undefined {
  let found: Node | undefined;
  someNode(root, (node) => {
    if (!isMap(node)) return false;
    const seen = new Set<unknown>();
    for (const { key } of node.items) {
      if (!isScalar(key)) continue;
      if (seen.has(key.value)) return Boolean((found = key));
      seen.add(key.value);
    }
    return false;
  });
  return found;
}

function hasAnchorsOrAliases(root: Node): boolean {
  return someNode(root, (node) => isAlias(node) || Boolean((node as { anchor?: string }).anchor));
}

/** Moves every offset at or after `from` by `delta` (the document's own range too). */
function shiftRanges(root: Document.Parsed | Node, from: number, delta: number): void {
  const shift = (range: [number, number, number] | null | undefined) => {
    if (range) for (let i = 0; i < 3; i++) if (range[i] >= from) range[i] += delta;
  };
  if (isDocument(root)) shift(root.range as [number, number, number]);
  someNode(isDocument(root) ? root.contents : root, (node) => shift(node.range as [number, number, number] | null | undefined));
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
