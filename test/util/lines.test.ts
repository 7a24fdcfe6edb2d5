/**
 * A child's output as whole lines: a line cut between chunks is joined, a UTF-8 character cut between chunks
 * stays whole, and an unfinished last line waits for its newline.
 */
import { describe, expect, it } from 'vitest';
import { lineSplitter } from '../../src/util/lines.js';

describe('lineSplitter', () => {
  it('gives each complete line once, joined across chunks, and holds back the unfinished rest', () => {
    const seen: string[] = [];
    const onData = lineSplitter((l) => seen.push(l));
    onData('2.1. Executing PR');
    onData('OC pass.\nfirst');
    expect(seen).toEqual(['2.1. Executing PROC pass.']);
    onData(Buffer.from(' line\n\nlast, no newline'));
    expect(seen).toEqual(['2.1. Executing PROC pass.', 'first line', '']);
  });

  it('keeps a multi-byte character whole when a chunk ends inside it', () => {
    const seen: string[] = [];
    const onData = lineSplitter((l) => seen.push(l));
    const bytes = Buffer.from('µJ per layer\n', 'utf8');
    onData(bytes.subarray(0, 1));
    onData(bytes.subarray(1));
    expect(seen).toEqual(['µJ per layer']);
  });
});
