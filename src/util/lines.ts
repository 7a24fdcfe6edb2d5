/**
 * A child process's output as whole lines: chunks arrive cut anywhere (inside a line, inside a UTF-8
 * character); the splitter keeps the unfinished rest for the next chunk.
 */
import { StringDecoder } from 'node:string_decoder';

/** A `data` listener that calls `onLine` with each complete line (without its newline). */
export function lineSplitter(onLine: (line: string) => void): (chunk: Buffer | string) => void {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  return (chunk) => {
    const lines = (rest + (typeof chunk === 'string' ? chunk : decoder.write(chunk))).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  };
}
