/**
 * A folder of PNG or JPEG images with a labels CSV (`filename,label` rows, an optional header row, file
 * names relative to the folder). pngjs decodes PNG (16-bit samples scaled to 8 bits), jpeg-js decodes JPEG;
 * the format is told by the file's first bytes. Both give RGBA: a model of 3 channels takes R, G and B, a
 * model of 1 channel takes greyscale images (R = G = B at every pixel, as a grey PNG or JPEG decodes) and
 * refuses colour ones. Alpha is ignored. Every image must have the size of the first.
 */
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { MactileError } from '../util/errors.js';
import { readBytes } from './idx.js';
import { checkLabels, type RawImages, type ReadOptions } from './images.js';

/** The rows of a labels CSV: file name and label text, without a header row. */
function csvRows(text: string, what: string): { file: string; label: string; line: number }[] {
  const rows: { file: string; label: string; line: number }[] = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (!line) continue;
    const cells = line.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
    if (cells.length !== 2)
      throw new MactileError(`${what}, line ${i + 1}: expected filename,label, received ${JSON.stringify(line)}`);
    if (rows.length === 0 && !/^[-+]?\d+$/.test(cells[1]!)) continue; // the header row
    rows.push({ file: cells[0]!, label: cells[1]!, line: i + 1 });
  }
  if (rows.length === 0) throw new MactileError(`${what}: expected filename,label rows, received none`);
  return rows;
}

/** Decodes one PNG or JPEG file to RGBA. */
function decode(bytes: Uint8Array, what: string): { width: number; height: number; data: Uint8Array } {
  const png = bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  const jpg = bytes[0] === 0xff && bytes[1] === 0xd8;
  if (!png && !jpg) throw new MactileError(`${what}: expected a PNG or JPEG image, received other bytes`);
  try {
    return png
      ? PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
      : jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: 100, maxMemoryUsageInMB: 1024 });
  } catch (e) {
    throw new MactileError(`${what}: a corrupt ${png ? 'PNG' : 'JPEG'} image (${(e as Error).message})`);
  }
}

/** `images:FOLDER[,LABELS.csv]` (default labels file: FOLDER/labels.csv). */
export function loadFolder(
  source: string,
  folder: string,
  labelsCsv: string | undefined,
  opts: ReadOptions,
): RawImages {
  if (opts.channels !== 1 && opts.channels !== 3)
    throw new MactileError(
      `data ${source}: PNG and JPEG images give 1 (grey) or 3 (RGB) channels, the model takes ${opts.channels}`,
    );
  const csv = labelsCsv ?? join(folder, 'labels.csv');
  const rows = csvRows(
    Buffer.from(readBytes(csv, `data ${source}: labels CSV`)).toString('utf8'),
    `data ${source}: labels CSV ${csv}`,
  );
  const c = opts.channels;
  let h = 0;
  let w = 0;
  let pixels = new Uint8Array(0);
  for (const [n, row] of rows.entries()) {
    const path = join(folder, row.file);
    const what = `data ${source}: image ${path} (line ${row.line} of ${csv})`;
    const img = decode(readBytes(path, `data ${source}: image`), what);
    if (n === 0) {
      h = img.height;
      w = img.width;
      pixels = new Uint8Array(rows.length * h * w * c);
    } else if (img.height !== h || img.width !== w)
      throw new MactileError(
        `${what}: expected ${h}x${w} pixels (the size of ${rows[0]!.file}), received ${img.height}x${img.width}`,
      );
    const base = n * h * w * c;
    for (let p = 0; p < h * w; p++) {
      const [r, g, b] = [img.data[4 * p]!, img.data[4 * p + 1]!, img.data[4 * p + 2]!];
      if (c === 3) pixels.set([r, g, b], base + 3 * p);
      else if (r === g && g === b) pixels[base + p] = r;
      else
        throw new MactileError(
          `${what}: expected a greyscale image (the model takes 1 channel), received colour (R,G,B = ${r},${g},${b} at x ${p % w}, y ${Math.floor(p / w)})`,
        );
    }
  }
  const labels = rows.map((r) => Number(r.label));
  return {
    source,
    count: rows.length,
    h,
    w,
    c,
    pixels,
    labels: checkLabels(labels, rows.length, `data ${source}: labels CSV ${csv}`),
  };
}
