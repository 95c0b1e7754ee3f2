import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Files kept beside reports in a folder that are never reports: truth and notes, data, scripts. A
 * folder's are passed over; a file named on its own is taken as given.
 */
const COMPANION_FILE = /\.(?:json|md|markdown|csv|tsv|ya?ml|js|ts|sh|log)$/i;

export interface SkippedEntry {
  path: string;
  reason: string;
}

export interface CollectedFiles {
  /** Sorted within each folder, each path once. */
  files: string[];
  /** Entries found but not taken, each once, with why. */
  skipped: SkippedEntry[];
}

export interface CollectOptions {
  /** Follow symbolic links whose target resolves inside one of the given folders; never outside them. */
  followLinks?: boolean;
}

function describeSpecialFile(stat: Stats): string | null {
  if (stat.isFIFO()) return 'a FIFO, not a regular file';
  if (stat.isSocket()) return 'a socket, not a regular file';
  if (stat.isBlockDevice() || stat.isCharacterDevice()) return 'a device, not a regular file';
  return null;
}

function isWithin(realPath: string, root: string): boolean {
  return realPath === root || realPath.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

const errorCode = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? String(error);

/**
 * Expands files and directories (recursively, skipping hidden entries and companion files) into a
 * file list. Symbolic links met while walking are not followed, since a link in a folder somebody
 * else filled could point at /etc/passwd or back at its own parent; with `followLinks` a link is
 * followed only when its real target lies inside one of the given folders. A path named on the
 * command line is followed even when it is a link (the user chose it), and the folder it resolves
 * to is then the one links below it must stay inside. Every real folder is walked once, so a link
 * loop ends as a skipped entry instead of aborting the run; no entry makes the walk throw.
 */
export async function collectFiles(inputs: string[], options: CollectOptions = {}): Promise<CollectedFiles> {
  const files = new Set<string>();
  const skipped: SkippedEntry[] = [];
  const walkedFolders = new Set<string>();
  const roots: string[] = [];
  for (const input of inputs) {
    const realInput = await fs.realpath(path.resolve(input)).catch(() => null);
    if (realInput && (await fs.stat(realInput).then((stat) => stat.isDirectory(), () => false))) roots.push(realInput);
  }

  const skip = (target: string, reason: string): void => void skipped.push({ path: target, reason });

  async function visit(target: string, named: boolean): Promise<void> {
    let stat: Stats;
    try {
      stat = await fs.lstat(target);
      if (stat.isSymbolicLink()) {
        if (!named && !options.followLinks) return skip(target, 'symbolic link, not followed (--follow-links follows links inside the given folders)');
        const realTarget = await fs.realpath(target).catch(() => null);
        if (realTarget === null) return skip(target, 'symbolic link to nothing (broken, or a loop of links)');
        if (!named && !roots.some((root) => isWithin(realTarget, root))) return skip(target, 'symbolic link to outside the given folders');
        stat = await fs.stat(realTarget);
      }
    } catch (error) {
      return skip(target, `unreadable (${errorCode(error)})`);
    }

    if (stat.isDirectory()) {
      const realFolder = await fs.realpath(target).catch(() => null);
      if (realFolder === null) return skip(target, 'unreadable folder');
      if (walkedFolders.has(realFolder)) return skip(target, 'folder walked already (a link loop, or a second way to it)');
      walkedFolders.add(realFolder);
      let entries: string[];
      try {
        entries = await fs.readdir(target);
      } catch (error) {
        return skip(target, `unreadable folder (${errorCode(error)})`);
      }
      for (const entry of entries.sort()) if (!entry.startsWith('.') && !COMPANION_FILE.test(entry)) await visit(path.join(target, entry), false);
    } else if (stat.isFile()) {
      files.add(target);
    } else {
      skip(target, describeSpecialFile(stat) ?? 'not a regular file');
    }
  }

  for (const input of inputs) await visit(path.resolve(input), true);
  return { files: [...files], skipped };
}
