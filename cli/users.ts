/** `gongkai users add|list`: accounts for the web pages, made from the command line (the first admin, scripts). */
import readline from 'node:readline';
import { Writable } from 'node:stream';
import { loadConfig } from '../shared/config';
import { createUser, isUserRole, listUsers } from '../shared/db/accounts';
import { openDatabase } from '../shared/db/connect';
import type { UserRole } from '../shared/db/schema';
import { formatTime } from '../web/i18n';
import { createTable } from './table';

/** Asks on the terminal without echoing what is typed; reads one line when stdin is not a terminal. */
async function askPassword(question: string): Promise<string> {
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
  process.stderr.write(question);
  const prompt = readline.createInterface({ input: process.stdin, output: process.stdin.isTTY ? silent : undefined, terminal: process.stdin.isTTY });
  try {
    return await new Promise<string>((resolve, reject) => {
      prompt.once('line', resolve);
      prompt.once('close', () => reject(new Error('no password given (set GONGKAI_PASSWORD or type it)')));
    });
  } finally {
    prompt.removeAllListeners('close');
    prompt.close();
    process.stderr.write('\n');
  }
}

export async function addUser(username: string, role: string): Promise<void> {
  if (!isUserRole(role)) throw new Error(`unknown role '${role}'; roles are viewer, operator, admin`);
  const password = process.env.GONGKAI_PASSWORD || (await askPassword(`password for ${username}: `));
  const database = await openDatabase(loadConfig());
  try {
    const user = await createUser(database.db, { username, password, role: role as UserRole });
    console.error(`created ${user.username} (${user.role})`);
  } finally {
    await database.close();
  }
}

export async function printUsers(): Promise<void> {
  const database = await openDatabase(loadConfig());
  try {
    const users = await listUsers(database.db);
    const table = createTable(['user', 'role', 'created', 'disabled']);
    for (const user of users) table.push([user.username, user.role, formatTime(user.createdAt), formatTime(user.disabledAt)]);
    console.log(table.toString());
  } finally {
    await database.close();
  }
}
