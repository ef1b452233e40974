/**
 * Masks secrets wherever text leaves the program: diffs, reports, JSON, logs.
 * Two tools, used together:
 * - line masking, for file contents (diffs): the value of a secret-looking key, the
 *   password inside a URL, and the body of a PEM block become `***`;
 * - a redactor, for free text (errors, evidence, log lines): every known secret value
 *   collected from the stack's files is replaced wherever it appears.
 */
export const MASK = '***';

/** Keys whose values are secret. Paths to key or cert files (`*_file`, `*_path`) are not. */
const SECRET_KEY = /PASS(WORD|WD)?|SECRET|TOKEN|KEY|CREDENTIAL|AUTH|HEADERS|PRIVATE|SESSION|COOKIE/i;
const NOT_SECRET_KEY = /(_|^)(FILE|PATH|DIR)$/i;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) && !NOT_SECRET_KEY.test(key);
}

const URL_PASSWORD = /([a-z][\w+.-]*:\/\/[^\s:@/]*:)([^\s@/]+)(@)/gi;
const ASSIGNMENT = /^(\s*(?:export\s+)?(?:-\s+)?["']?([\w.\-/]+)["']?\s*(?:=|:(?=\s|$))\s*)(.*)$/;
const PEM_BEGIN = /-----BEGIN [A-Z0-9 ]+-----/;
const PEM_END = /-----END [A-Z0-9 ]+-----/;

/** Masks one line of a config file (no knowledge of the lines around it). */
export function maskLine(line: string): string {
  const m = secretAssignment(line);
  if (m && isSecretKey(m[2]) && m[3].trim() !== '' && !/^[|>][-+]?\s*(#.*)?$/.test(m[3].trim())) {
    const hash = m[3].search(/\s#/);
    return m[1] + MASK + (hash === -1 ? '' : m[3].slice(hash));
  }
  return line.includes('@') ? line.replace(URL_PASSWORD, `$1${MASK}$3`) : line;
}

/** `key = value` / `key: value` parts of a line whose key may be secret; the cheap test first (diffs mask every line of large files). */
function secretAssignment(line: string): RegExpExecArray | null {
  return SECRET_KEY.test(line) ? ASSIGNMENT.exec(line) : null;
}

/**
 * Masks a whole file's lines, keeping the line count: PEM bodies and the continuation
 * lines of a secret multi-line value are masked too.
 */
export function maskLines(lines: string[]): string[] {
  const out: string[] = [];
  let inPem = false;
  let secretBlockIndent = -1;
  for (const line of lines) {
    if (inPem) {
      out.push(PEM_END.test(line) ? line : MASK);
      if (PEM_END.test(line)) inPem = false;
      continue;
    }
    if (PEM_BEGIN.test(line) && !PEM_END.test(line)) {
      inPem = true;
      out.push(line);
      continue;
    }
    const indent = /^\s*/.exec(line)![0].length;
    if (secretBlockIndent >= 0 && (line.trim() === '' || indent > secretBlockIndent)) {
      out.push(line.trim() === '' ? line : MASK);
      continue;
    }
    secretBlockIndent = -1;
    const m = secretAssignment(line);
    // A secret key with a YAML block scalar (`key: |`) or an open quote: mask what follows.
    if (m && isSecretKey(m[2]) && /^([|>][-+]?\s*$|["'][^"']*$)/.test(m[3])) secretBlockIndent = indent;
    out.push(maskLine(line));
  }
  return out;
}

/** Values that must never be printed, gathered from the stack's files. */
export class Redactor {
  private readonly secrets = new Set<string>();

  /** Collects the secret values of a parsed .env (or any key/value map). */
  addValues(values: Record<string, string>): this {
    for (const [key, value] of Object.entries(values)) {
      if (isSecretKey(key)) this.add(value);
      for (const m of value.matchAll(URL_PASSWORD)) this.add(m[2]);
    }
    return this;
  }

  add(value: string | undefined): this {
    // Very short or boolean-like values would mask ordinary words everywhere.
    if (value && value.length >= 4 && !/^(true|false|null|none|yes|no)$/i.test(value)) {
      this.secrets.add(value);
      for (const line of value.split(/\r?\n/)) if (line.trim().length >= 4) this.secrets.add(line.trim());
    }
    return this;
  }

  redact(text: string): string {
    let out = text.replace(URL_PASSWORD, `$1${MASK}$3`);
    // Longest first, so that a secret containing another is masked whole.
    for (const s of [...this.secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join(MASK);
    return out;
  }
}
