/**
 * Progress as lines for a parent process: a child started with `MACTILE_PROGRESS=lines` writes its progress
 * tasks (outermost first) as one marked JSON line on stderr whenever they change (at most four times a second),
 * and the parent reads them back to draw the child's work on its own line (e.g. `mactile study`, whose
 * quantization studies run as child processes).
 */

/** The environment variable, and the value, that ask for progress lines. */
export const PROGRESS_LINES_ENV = 'MACTILE_PROGRESS';
export const PROGRESS_LINES_VALUE = 'lines';

/** The line's mark: no other stderr line of mactile starts with it. */
const MARK = '\u001emactile-progress ';

/** What a progress line tells of one task. */
export interface TaskLine {
  title: string;
  label: string;
  done?: number;
  total?: number;
}

/** Whether this process was asked for progress lines. */
export function progressLinesAsked(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[PROGRESS_LINES_ENV] === PROGRESS_LINES_VALUE;
}

/** The line that carries `tasks` (newline included). */
export function encodeProgressLine(tasks: TaskLine[]): string {
  return `${MARK}${JSON.stringify(tasks)}\n`;
}

/** The tasks of a progress line, or undefined when `line` is not one (an ordinary stderr line). */
export function parseProgressLine(line: string): TaskLine[] | undefined {
  if (!line.startsWith(MARK)) return undefined;
  try {
    const v: unknown = JSON.parse(line.slice(MARK.length));
    return Array.isArray(v) ? (v as TaskLine[]) : undefined;
  } catch {
    return undefined;
  }
}
