import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Files kept beside reports in a folder that are never reports: truth and notes, data, scripts. A
 * folder's are passed over; a file named on its own is taken as given.
 */
const COMPANION_FILE = /\.(?:json|md|markdown|csv|tsv|ya?ml|js|ts|sh|log)$/i;

/** Expands files and directories (recursively, skipping hidden entries and companion files) into a sorted file list. */
export async function collectFiles(inputs: string[]): Promise<string[]> {
  const found: string[] = [];
  async function visit(target: string): Promise<void> {
    const stat = await fs.stat(target);
    if (stat.isDirectory()) {
      const entries = await fs.readdir(target);
      for (const entry of entries.sort()) if (!entry.startsWith('.') && !COMPANION_FILE.test(entry)) await visit(path.join(target, entry));
    } else if (stat.isFile()) {
      found.push(target);
    }
  }
  for (const input of inputs) await visit(path.resolve(input));
  return [...new Set(found)];
}
