// Real function code written to a temp folder per test file, and a log that records lines.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface CodeFolder {
  readonly dir: string;
  write(path: string, text: string): string;
  remove(): void;
}

export function codeFolder(prefix: string): CodeFolder {
  const dir = mkdtempSync(join(tmpdir(), `stepwise-${prefix}-`));
  return {
    dir,
    write(path, text) {
      const file = join(dir, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
      return file;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface LoggedLine {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields?: Record<string, unknown>;
}

export function recordingLog(): { lines: LoggedLine[]; log: (level: LoggedLine['level'], message: string, fields?: Record<string, unknown>) => void; waitFor(match: (line: LoggedLine) => boolean): Promise<LoggedLine> } {
  const lines: LoggedLine[] = [];
  const waiters: Array<{ match: (line: LoggedLine) => boolean; resolve: (line: LoggedLine) => void }> = [];
  return {
    lines,
    log(level, message, fields) {
      const line = { level, message, ...(fields ? { fields } : {}) };
      lines.push(line);
      for (const waiter of [...waiters]) {
        if (waiter.match(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    },
    waitFor(match) {
      const found = lines.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
  };
}

/** Whether a process is still running. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
