/** Comma-separated option values (`--rows 8,16,32`). */
import { MactileError } from './errors.js';

/** Parses a comma list of whole numbers (`--rows 8,16,32`), naming the option in errors. */
export function numberList(text: string, option: string): number[] {
  return wordList(text).map((s) => {
    if (!/^\d+$/.test(s))
      throw new MactileError(`${option}: expected whole numbers separated by commas, received ${JSON.stringify(s)}`);
    return Number(s);
  });
}

/** A comma list of words. */
export function wordList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
