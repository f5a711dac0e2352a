/**
 * The tree follows .editorconfig: UTF-8 without a byte-order mark, LF line ends, a final newline,
 * no trailing whitespace (Markdown may keep it: two spaces are a line break there) and indentation
 * by spaces. An editor that ignores the file, or a pasted CRLF, fails here rather than in review.
 */
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '../..');
const FOLDERS = ['src', 'test', 'bench', 'views', 'public', 'docs', 'examples', 'config', '.ci'];
const CHECKED = /\.(ts|js|mjs|cjs|json|ejs|css|md|yml|yaml)$/;

function files(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    if (name === 'node_modules' || name === 'dist') return [];
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : CHECKED.test(name) ? [path] : [];
  });
}

function editorconfigFaults(name: string, bytes: Buffer): string[] {
  const faults: string[] = [];
  const text = bytes.toString('utf8');
  if (!bytes.equals(Buffer.from(text, 'utf8'))) faults.push('not UTF-8');
  if (text.startsWith('\uFEFF')) faults.push('byte-order mark');
  if (text.includes('\r')) faults.push('CR line ends');
  if (text.length > 0 && !text.endsWith('\n')) faults.push('no final newline');
  text.split('\n').forEach((line, i) => {
    if (!name.endsWith('.md') && /[ \t]+$/.test(line)) faults.push(`line ${i + 1}: trailing whitespace`);
    if (/^ *\t/.test(line)) faults.push(`line ${i + 1}: tab indentation`);
  });
  return faults;
}

describe('.editorconfig', () => {
  it('names each fault it checks for', () => {
    expect(editorconfigFaults('a.ts', Buffer.from('const a = 1;\r\n\tb; \nc'))).toEqual([
      'CR line ends',
      'no final newline',
      'line 2: trailing whitespace',
      'line 2: tab indentation',
    ]);
    expect(editorconfigFaults('a.md', Buffer.from('a line break  \nnext\n'))).toEqual([]);
    expect(editorconfigFaults('a.ts', Buffer.from([0xef, 0xbb, 0xbf, 0x61, 0x0a]))).toEqual(['byte-order mark']);
    expect(editorconfigFaults('a.ts', Buffer.from([0xff, 0x0a]))).toEqual(['not UTF-8']);
  });

  it('holds for every source, view, style and document file', () => {
    const faults = FOLDERS.flatMap((folder) => files(join(root, folder)))
      .concat(['package.json', 'tsconfig.json', 'README.md', 'SECURITY.md', 'docker-compose.yml'].map((name) => join(root, name)))
      .flatMap((file) => editorconfigFaults(file, readFileSync(file)).map((fault) => `${relative(root, file)}: ${fault}`));
    expect(faults).toEqual([]);
  });
});
