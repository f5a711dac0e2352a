/** The files the architecture tests read. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every file below `dir` (node_modules left out) whose name matches `name`, as full paths. */
export function filesBelow(dir: string, name: RegExp): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return entry === 'node_modules' ? [] : filesBelow(path, name);
    return name.test(entry) ? [path] : [];
  });
}
