/**
 * Reading and writing the user's files safely.
 * - read: refuses folders, unreadable, binary and oversized files, and symlinks that lead
 *   out of the stack's folder, each with a message that says what to do;
 * - write: atomic (exclusive temp file in the same folder, fsync, rename, fsync folder),
 *   keeping mode and owner; new files are created 0600 by default.
 */
import { createHash, randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';

export const MAX_FILE_BYTES = 10 * 1024 * 1024;

export interface TextFile {
  /** The path as the user gave it (for messages). */
  path: string;
  /** Where the bytes really live (symlinks resolved): the path that is written. */
  realPath: string;
  text: string;
  sha256: string;
  mode: number;
  uid: number;
  gid: number;
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Resolves symlinks and refuses a path whose target lies outside `root`. */
export async function resolveInside(file: string, root: string): Promise<string> {
  const real = await fs.realpath(file).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') throw new UserError(`${file}: no such file`, 'Check the path (or the profile entry that names it).');
    throw e;
  });
  const realRoot = await fs.realpath(root);
  if (real !== realRoot && !real.startsWith(realRoot + path.sep)) {
    throw new UserError(
      `${file}: resolves to ${real}, outside the stack's folder ${realRoot}; trace-wizard does not follow links out of the stack`,
      'Point the profile at the real file, or run trace-wizard from a folder that contains it.',
    );
  }
  return real;
}

export async function readTextFile(file: string, root: string): Promise<TextFile> {
  const realPath = await resolveInside(file, root);
  const stat = await fs.stat(realPath);
  if (stat.isDirectory()) throw new UserError(`${file}: is a folder, not a file`, 'Name the file inside it.');
  if (!stat.isFile()) throw new UserError(`${file}: is not a regular file`);
  if (stat.size > MAX_FILE_BYTES) {
    throw new UserError(`${file}: is ${(stat.size / 1048576).toFixed(1)} MB; trace-wizard reads config files of up to 10 MB`, 'Is this the right file?');
  }
  if (!readable(stat)) throw new UserError(`${file}: is not readable (mode ${octal(stat.mode)})`, `Give yourself read permission: chmod u+r ${file}`);
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(realPath);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EACCES') throw new UserError(`${file}: permission denied`, `Give yourself read permission: chmod u+r ${file}`);
    throw e;
  }
  if (bytes.includes(0)) throw new UserError(`${file}: looks binary (it contains NUL bytes), not a text config`, 'Is this the right file?');
  return { path: file, realPath, text: bytes.toString('utf8'), sha256: sha256(bytes), mode: stat.mode & 0o7777, uid: stat.uid, gid: stat.gid };
}

/** Refuses to go on when a file may not be written; nothing is changed. */
export async function assertWritable(file: TextFile): Promise<void> {
  const stat = await fs.stat(file.realPath);
  const dir = path.dirname(file.realPath);
  const dirOk = await fs.access(dir, constants.W_OK).then(() => true, () => false);
  if (!writable(stat) || !dirOk) {
    throw new UserError(
      `${file.path}: is read-only (mode ${octal(stat.mode)}); nothing was changed`,
      `Make it writable (chmod u+w ${file.path}) and run the command again, or edit it by hand.`,
    );
  }
}

/**
 * Root bypasses permission checks, so `access()` says yes to everything; we honour the
 * owner's bits as well, so a file marked read-only is never rewritten behind its owner's back.
 */
function readable(stat: { mode: number; uid: number }): boolean {
  return process.getuid?.() === 0 ? (stat.mode & 0o444) !== 0 : true;
}
function writable(stat: { mode: number }): boolean {
  return (stat.mode & 0o222) !== 0;
}

function octal(mode: number): string {
  return (mode & 0o777).toString(8).padStart(3, '0');
}

export interface WriteOptions {
  /** Mode for a new file (existing files keep theirs). */
  mode?: number;
  uid?: number;
  gid?: number;
}

/** Writes `data` to `target` atomically. `target` must already be a resolved real path. */
export async function writeFileAtomic(target: string, data: string | Buffer, options: WriteOptions = {}): Promise<void> {
  const dir = path.dirname(target);
  const existing = await fs.lstat(target).catch(() => undefined);
  if (existing?.isSymbolicLink()) throw new Error(`refusing to replace symlink ${target}; resolve it first`);
  const mode = existing ? existing.mode & 0o7777 : (options.mode ?? 0o600);
  const tmp = path.join(dir, `.${path.basename(target)}.tw-${randomBytes(6).toString('hex')}.tmp`);
  // O_EXCL: the temp name cannot be pre-created or redirected by anyone else.
  const handle = await fs.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await handle.writeFile(data);
    await handle.chmod(mode);
    const uid = existing?.uid ?? options.uid;
    const gid = existing?.gid ?? options.gid;
    if (uid !== undefined && gid !== undefined && (uid !== process.getuid?.() || gid !== process.getgid?.())) {
      await handle.chown(uid, gid).catch(() => undefined);
    }
    await handle.sync();
  } catch (e) {
    await handle.close().catch(() => undefined);
    await fs.rm(tmp, { force: true });
    throw e;
  }
  await handle.close();
  try {
    await fs.rename(tmp, target);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
  await syncDir(dir);
}

export async function syncDir(dir: string): Promise<void> {
  const h = await fs.open(dir, 'r').catch(() => undefined);
  if (!h) return;
  await h.sync().catch(() => undefined);
  await h.close();
}
