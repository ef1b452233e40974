/**
 * Backup sessions: every apply writes its originals and a manifest under
 * `.trace-wizard/backups/<id>/` *before* touching a file, so that any interruption —
 * even SIGKILL between two renames — leaves each file in its before or after state
 * and the session able to put every original back.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CheckFailedError, UserError } from '../errors.js';
import { assertWritable, sha256, syncDir, writeFileAtomic, type TextFile } from './safe-file.js';

export type SessionState = 'in-progress' | 'applied' | 'rolled-back' | 'failed';

export interface ManifestFile {
  /** Relative to the stack's folder. */
  path: string;
  sha256Before: string;
  sha256After: string;
  mode: number;
  /** The original's copy, relative to the session folder. Names never derive from content. */
  backup: string;
}

export interface ManifestCreated {
  path: string;
  sha256After: string;
  mode: number;
}

export interface Manifest {
  version: 1;
  id: string;
  createdAt: string;
  state: SessionState;
  pid: number;
  repair: string;
  /** Components the repair restarts (and a rollback restarts again). */
  restarts: string[];
  files: ManifestFile[];
  created: ManifestCreated[];
  error?: string;
  rolledBackAt?: string;
}

export interface FileChange {
  file: TextFile;
  after: string;
}

export interface NewFile {
  /** Absolute path inside the stack's folder. */
  path: string;
  content: string;
  mode?: number;
}

export interface ApplyRequest {
  root: string;
  repair: string;
  restarts?: string[];
  changes: FileChange[];
  creates?: NewFile[];
}

export type ApplyEvent =
  | { type: 'backup'; sessionId: string; dir: string }
  | { type: 'write'; path: string }
  | { type: 'create'; path: string }
  | { type: 'applied'; sessionId: string };

export function backupsDir(root: string): string {
  return path.join(root, '.trace-wizard', 'backups');
}

/** Test hook: slows each step so crash tests can interrupt between them. */
async function testStepDelay(): Promise<void> {
  const ms = Number(process.env.TRACE_WIZARD_TEST_STEP_DELAY_MS ?? 0);
  if (ms > 0) await new Promise((r) => setTimeout(r, ms));
}

function newSessionId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

export class BackupSession {
  private constructor(
    readonly root: string,
    readonly dir: string,
    public manifest: Manifest,
  ) {}

  get id(): string {
    return this.manifest.id;
  }

  static async load(root: string, id: string): Promise<BackupSession> {
    if (!/^[\w-]+$/.test(id)) throw new UserError(`Not a backup id: ${id}`, 'List the sessions with: trace-wizard rollback --list');
    const dir = path.join(backupsDir(root), id);
    const text = await fs.readFile(path.join(dir, 'manifest.json'), 'utf8').catch(() => {
      throw new UserError(`No backup session ${id} in ${backupsDir(root)}`, 'List the sessions with: trace-wizard rollback --list');
    });
    return new BackupSession(root, dir, JSON.parse(text) as Manifest);
  }

  /** Every session with a manifest, oldest first. A session without one never changed a file. */
  static async list(root: string): Promise<BackupSession[]> {
    const names = await fs.readdir(backupsDir(root)).catch(() => [] as string[]);
    const sessions: BackupSession[] = [];
    for (const name of names.sort()) {
      const s = await BackupSession.load(root, name).catch(() => undefined);
      if (s) sessions.push(s);
    }
    return sessions;
  }

  /** Sessions left in progress by a process that is gone: offered for rollback. */
  static async interrupted(root: string): Promise<BackupSession[]> {
    return (await BackupSession.list(root)).filter((s) => s.manifest.state === 'in-progress' && !processAlive(s.manifest.pid));
  }

  /**
   * Backs up, then applies. The order is what makes it crash-safe: originals and
   * manifest are on disk (fsynced) before the first file is replaced, and each file is
   * replaced by an atomic rename.
   */
  static async apply(req: ApplyRequest, onEvent: (e: ApplyEvent) => void = () => {}): Promise<BackupSession> {
    const parent = backupsDir(req.root);
    await fs.mkdir(parent, { recursive: true, mode: 0o700 });
    const id = newSessionId();
    const dir = path.join(parent, id);
    await fs.mkdir(dir, { mode: 0o700 });
    await fs.mkdir(path.join(dir, 'files'), { mode: 0o700 });

    const files: ManifestFile[] = [];
    for (const [i, { file, after }] of req.changes.entries()) {
      const backup = `files/${String(i + 1).padStart(4, '0')}`;
      await fs.copyFile(file.realPath, path.join(dir, backup));
      await fs.chmod(path.join(dir, backup), 0o600);
      const copied = sha256(await fs.readFile(path.join(dir, backup)));
      if (copied !== file.sha256) throw new UserError(`${file.path} changed while trace-wizard was reading it; nothing was changed`, 'Run the command again.');
      files.push({ path: rel(req.root, file.realPath), sha256Before: file.sha256, sha256After: sha256(after), mode: file.mode, backup });
    }
    const created = (req.creates ?? []).map((c) => ({ path: rel(req.root, c.path), sha256After: sha256(c.content), mode: c.mode ?? 0o600 }));
    const manifest: Manifest = {
      version: 1,
      id,
      createdAt: new Date().toISOString(),
      state: 'in-progress',
      pid: process.pid,
      repair: req.repair,
      restarts: req.restarts ?? [],
      files,
      created,
    };
    const session = new BackupSession(req.root, dir, manifest);
    await session.save();
    await syncDir(path.join(dir, 'files'));
    onEvent({ type: 'backup', sessionId: id, dir });

    try {
      for (const { file } of req.changes) await assertWritable(file);
      for (const c of req.creates ?? []) {
        if (await exists(c.path)) throw new UserError(`${c.path}: already exists; trace-wizard will not overwrite it`, 'Move it away or remove it, then run again.');
      }
      for (const { file, after } of req.changes) {
        await testStepDelay();
        const now = sha256(await fs.readFile(file.realPath));
        if (now !== file.sha256) throw new UserError(`${file.path} changed after it was read; stopping`, 'Run the command again to plan from the current file.');
        await writeFileAtomic(file.realPath, after);
        onEvent({ type: 'write', path: file.path });
      }
      for (const c of req.creates ?? []) {
        await testStepDelay();
        await writeFileAtomic(c.path, c.content, { mode: c.mode ?? 0o600 });
        onEvent({ type: 'create', path: c.path });
      }
      await testStepDelay();
    } catch (e) {
      await session.restoreFiles(true).catch(() => undefined);
      session.manifest.state = 'failed';
      session.manifest.error = (e as Error).message;
      await session.save();
      throw e;
    }
    session.manifest.state = 'applied';
    await session.save();
    onEvent({ type: 'applied', sessionId: id });
    return session;
  }

  /** Files that changed since this session wrote them (they would be overwritten by a rollback). */
  async conflicts(): Promise<string[]> {
    const out: string[] = [];
    for (const f of this.manifest.files) {
      const now = await hashOf(this.abs(f.path));
      if (now !== f.sha256After && now !== f.sha256Before) out.push(f.path);
    }
    for (const c of this.manifest.created) {
      const now = await hashOf(this.abs(c.path));
      if (now !== undefined && now !== c.sha256After) out.push(c.path);
    }
    return out;
  }

  /** Restores every original byte for byte and removes created files. */
  async rollback(options: { force?: boolean } = {}): Promise<{ restored: string[]; removed: string[] }> {
    const conflicts = await this.conflicts();
    if (conflicts.length > 0 && !options.force) {
      throw new CheckFailedError(
        `Not rolling back: ${conflicts.join(', ')} changed after session ${this.id} wrote ${conflicts.length === 1 ? 'it' : 'them'}`,
        `Look at the file first; to overwrite it with the original anyway: trace-wizard rollback ${this.id} --force`,
      );
    }
    const result = await this.restoreFiles(options.force ?? false);
    this.manifest.state = 'rolled-back';
    this.manifest.rolledBackAt = new Date().toISOString();
    await this.save();
    return result;
  }

  private async restoreFiles(force: boolean): Promise<{ restored: string[]; removed: string[] }> {
    const restored: string[] = [];
    const removed: string[] = [];
    for (const f of this.manifest.files) {
      const target = this.abs(f.path);
      const now = await hashOf(target);
      if (now === f.sha256Before) continue;
      if (now !== f.sha256After && !force) continue;
      const original = await fs.readFile(path.join(this.dir, f.backup));
      if (sha256(original) !== f.sha256Before) throw new CheckFailedError(`The backup of ${f.path} in ${this.dir} is damaged; not restoring it`);
      await writeFileAtomic(target, original, { mode: f.mode });
      await fs.chmod(target, f.mode);
      restored.push(f.path);
    }
    for (const c of this.manifest.created) {
      const target = this.abs(c.path);
      const now = await hashOf(target);
      if (now === undefined || (now !== c.sha256After && !force)) continue;
      await fs.rm(target);
      removed.push(c.path);
    }
    return { restored, removed };
  }

  private abs(p: string): string {
    return path.resolve(this.root, p);
  }

  private async save(): Promise<void> {
    await writeFileAtomic(path.join(this.dir, 'manifest.json'), JSON.stringify(this.manifest, null, 2) + '\n', { mode: 0o600 });
  }
}

function rel(root: string, p: string): string {
  return path.relative(root, p) || p;
}

async function exists(p: string): Promise<boolean> {
  return fs.lstat(p).then(() => true, () => false);
}

async function hashOf(p: string): Promise<string | undefined> {
  return fs.readFile(p).then(sha256, () => undefined);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return pid !== process.pid;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
