/** Where commands print. Every line passes the redactor, so no secret reaches a terminal, pipe or log. */
import { Redactor } from '../edit/secrets.js';

export interface Streams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

export class Output {
  redactor = new Redactor();
  readonly colour: boolean;

  constructor(
    readonly streams: Streams,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.colour = env.NO_COLOR ? false : env.FORCE_COLOR && env.FORCE_COLOR !== '0' ? true : Boolean(streams.stdout.isTTY);
  }

  /**
   * A terminal on both ends, and not CI: prompts are allowed. CI counts as set the way Ink
   * counts it (present, and not "0" or "false"), since Ink renders no live frames there.
   */
  get interactive(): boolean {
    const ci = 'CI' in process.env && process.env.CI !== '0' && process.env.CI !== 'false';
    return Boolean(this.streams.stdin.isTTY && this.streams.stdout.isTTY) && !ci;
  }

  out(text = ''): void {
    this.streams.stdout.write(this.redactor.redact(text) + '\n');
  }

  err(text = ''): void {
    this.streams.stderr.write(this.redactor.redact(text) + '\n');
  }

  json(value: unknown): void {
    this.streams.stdout.write(this.redactor.redact(JSON.stringify(value, null, 2)) + '\n');
  }

  paint(code: 'red' | 'green' | 'yellow' | 'magenta' | 'cyan' | 'dim' | 'bold', text: string): string {
    if (!this.colour) return text;
    const codes = { red: 31, green: 32, yellow: 33, magenta: 35, cyan: 36, dim: 2, bold: 1 } as const;
    return `\x1b[${codes[code]}m${text}\x1b[0m`;
  }
}
