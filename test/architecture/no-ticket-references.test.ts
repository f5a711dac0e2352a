/**
 * Source comments and names say why and cite the spec (OIDC Core §, RFC number) or a document
 * in this repository (docs/, SECURITY.md). A ticket number or a section of a document that is not
 * in the repository tells a reader nothing, so this test walks src/ and names every such citation.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { filesBelow } from './support/files.js';

const root = join(import.meta.dirname, '../..');

/** "issue 8", "Issue #4", "issue8" (a name), and sections of the outside design document. */
const TICKET_REFERENCE = /issue ?#?[0-9]|DESIGN §/i;

/**
 * Documents outside the repository that comments used to cite: the design brief's security
 * document, OWASP cheat sheets, a library's README. SECURITY.md's rows say the same in the repo.
 */
const OUTSIDE_DOCUMENT = /security document|Cheat Sheet|OWASP|ioredis README|DESIGN\.md/i;

function ticketReferences(text: string): { line: number; text: string }[] {
  return text
    .split('\n')
    .map((line, i) => ({ line: i + 1, text: line.trim() }))
    .filter(({ text: line }) => TICKET_REFERENCE.test(line) || OUTSIDE_DOCUMENT.test(line));
}

describe('source citations', () => {
  it('recognises the spellings it forbids and lets spec citations through', () => {
    const found = ticketReferences(
      [
        '// Issue 8: chain claims',
        'const issue8 = 1;',
        ' * see issue #12',
        '// (DESIGN §4)',
        '// OIDC Core §5.4',
        '// RFC 8628 §3.2',
        '// oidc-provider issues refresh tokens',
        '// docs/chain-claims.md §6',
      ].join('\n'),
    );
    expect(found.map((f) => f.line)).toEqual([1, 2, 3, 4]);
  });

  it('recognises citations of documents outside the repository', () => {
    const found = ticketReferences(
      [
        '// (security document, "Monitoring")',
        '// OWASP API4:2023',
        '// (ioredis README, "TLS")',
        '// (SECURITY.md, "Validate input")',
        '// docs/monitoring.md',
      ].join('\n'),
    );
    expect(found.map((f) => f.line)).toEqual([1, 2, 3]);
  });

  it('no file in src/ cites a ticket number or an outside document', () => {
    const offences = filesBelow(join(root, 'src'), /\.(ts|js|mjs|cjs)$/).flatMap((file) =>
      ticketReferences(readFileSync(file, 'utf8')).map(({ line, text }) => `${relative(root, file)}:${line}: ${text}`),
    );
    expect(offences).toEqual([]);
  });
});
