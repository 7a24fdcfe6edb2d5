/**
 * The job-format table as Markdown, for docs/JOB-FORMAT.md: the codes of every enum, then every file and
 * record with byte offsets (while they are fixed), field, type, count and meaning. The table comes in as a
 * parameter (the registered kinds' JOB_FORMAT). The document holds this
 * text between two markers, and a test keeps it equal to what this module renders.
 */
import { magicOf } from './codec.js';
import { FORMAT_VERSION, type JobFormat } from './layout.js';
import { fixedOffsets, isRecord, lengthsOf, recordsOf, type FieldDef, type FileDef, type RecordDef } from './table.js';

export const DOC_BEGIN =
  '<!-- BEGIN GENERATED from src/sim/job/layout.ts by src/sim/job/doc.ts; do not edit by hand -->';
export const DOC_END = '<!-- END GENERATED -->';

const cell = (s: string) => s.replace(/\|/g, '\\|');
const typeOf = (f: FieldDef) => (isRecord(f.type) ? `[${f.type.name}](#${f.type.name})` : `\`${f.type}\``);

function fieldRows(r: RecordDef, offsets: (number | undefined)[], lead: string[][]): string[] {
  const lengths = lengthsOf(r);
  const rows = [...lead];
  r.fields.forEach((f, i) => {
    const notes: string[] = [];
    if (f.value !== undefined)
      notes.push(`always ${f.value}${f.enum ? ` (${f.enum.values.find((v) => v.code === f.value)?.name})` : ''}`);
    else if (f.enum) notes.push(`a [${f.enum.name}](#codes) code`);
    const counted = lengths.get(f.name);
    if (counted) notes.push(`the length of \`${counted.name}\``);
    const meaning = [f.meaning, ...notes].join('; ');
    rows.push([
      offsets[i] === undefined ? '' : String(offsets[i]),
      `\`${f.name}\``,
      typeOf(f),
      f.count === undefined ? '' : `\`${f.count}\``,
      meaning,
    ]);
  });
  return [
    '| offset | field | type | count | meaning |',
    '|---|---|---|---|---|',
    ...rows.map((c) => `| ${c.map(cell).join(' | ')} |`),
  ];
}

function fileSection(file: FileDef, shown: Set<RecordDef>): string[] {
  const lines = [
    `### ${file.name}`,
    '',
    `${file.meaning[0]!.toUpperCase()}${file.meaning.slice(1)}. Written by ${file.writer === 'typescript' ? 'TypeScript, read by the driver' : 'the driver, read by TypeScript'}.`,
    '',
  ];
  lines.push(
    ...fieldRows(file, fixedOffsets(file, 8), [
      ['0', '`magic`', '8 bytes', '', `\`${JSON.stringify(magicOf(file)).slice(1, -1).replace('\\u0000', '\\0')}\``],
    ]),
    '',
  );
  for (const r of recordsOf(file)) {
    if (r === file || shown.has(r)) continue;
    shown.add(r);
    lines.push(
      `#### ${r.name}`,
      '',
      `${r.meaning[0]!.toUpperCase()}${r.meaning.slice(1)}. Offsets from the start of the record.`,
      '',
      ...fieldRows(r, fixedOffsets(r), []),
      '',
    );
  }
  return lines;
}

/** The generated part of docs/JOB-FORMAT.md (without the markers) for a job-format table. */
export function jobFormatMarkdown(format: JobFormat): string {
  const lines = [
    `Format version ${FORMAT_VERSION}. Integers are little-endian: \`u32\`, \`i32\`, \`u64\`, \`i64\`. \`elem\` is a signed`,
    "operand of the job's `dw` bits (1 byte for INT8, 2 for INT16). A count names how many values an array holds:",
    'an integer, an earlier field, `job.<field>` (that field of the job item a result item answers) or a product of these.',
    'A field that is the whole count of an array is its length. Offsets are in bytes, shown while the layout before',
    'the field is fixed.',
    '',
    '### Codes',
    '',
    '| enum | code | name | meaning |',
    '|---|---|---|---|',
  ];
  for (const e of format.enums) {
    e.values.forEach((v, i) =>
      lines.push(
        `| ${i === 0 ? `\`${e.name}\`: ${cell(e.meaning)}` : ''} | ${v.code} | \`${v.name}\` | ${cell(v.meaning)} |`,
      ),
    );
  }
  lines.push('');
  const shown = new Set<RecordDef>();
  for (const f of format.files) lines.push(...fileSection(f, shown));
  return lines.join('\n').trimEnd() + '\n';
}

/** Replaces the generated part of a document's text (between the markers) with the current rendering. */
export function withGeneratedPart(doc: string, format: JobFormat): string {
  const a = doc.indexOf(DOC_BEGIN);
  const b = doc.indexOf(DOC_END);
  if (a < 0 || b < a) throw new Error('docs/JOB-FORMAT.md: the generated-part markers are missing');
  return `${doc.slice(0, a + DOC_BEGIN.length)}\n${jobFormatMarkdown(format)}${doc.slice(b)}`;
}

/** The generated part of a document's text, as it stands. */
export function generatedPart(doc: string): string {
  const a = doc.indexOf(DOC_BEGIN);
  const b = doc.indexOf(DOC_END);
  if (a < 0 || b < a) throw new Error('docs/JOB-FORMAT.md: the generated-part markers are missing');
  return doc.slice(a + DOC_BEGIN.length + 1, b);
}
