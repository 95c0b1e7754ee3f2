import fs from 'node:fs/promises';
import path from 'node:path';

/** Expands files and directories (recursively, skipping hidden entries) into a sorted file list. */
export async function collectFiles(inputs: string[]): Promise<string[]> {
  const found: string[] = [];
  async function visit(target: string): Promise<void> {
    const stat = await fs.stat(target);
    if (stat.isDirectory()) {
      const entries = await fs.readdir(target);
      for (const entry of entries.sort()) if (!entry.startsWith('.')) await visit(path.join(target, entry));
    } else if (stat.isFile()) {
      found.push(target);
    }
  }
  for (const input of inputs) await visit(path.resolve(input));
  return [...new Set(found)];
}
