/** Plain-text tables for the terminal: a header, aligned columns (numbers right-aligned), a totals row. */

export interface Column<T> {
  header: string;
  value: (row: T) => string | number;
  /** Digits after the point for numbers (default: 0 for integers, 2 otherwise). */
  digits?: number;
}

/** Formats a number for a table: integers with thousands separators, others with fixed digits. */
function formatNumber(v: number, digits?: number): string {
  if (Number.isNaN(v)) return '';
  if (!Number.isFinite(v)) return String(v);
  if (digits === undefined && Number.isInteger(v)) return v.toLocaleString('en-US');
  return v.toLocaleString('en-US', { minimumFractionDigits: digits ?? 2, maximumFractionDigits: digits ?? 2 });
}

/** Renders rows (and an optional totals row) as an aligned text table. */
export function renderTable<T>(columns: Column<T>[], rows: T[], totals?: T): string {
  const cells = (r: T) =>
    columns.map((c) => {
      const v = c.value(r);
      return typeof v === 'number' ? formatNumber(v, c.digits) : v;
    });
  const body = rows.map(cells);
  const foot = totals ? [cells(totals)] : [];
  const numeric = columns.map((c) => rows.length > 0 && typeof c.value(rows[0]!) === 'number');
  const widths = columns.map((c, i) => Math.max(c.header.length, ...[...body, ...foot].map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((s, i) => (numeric[i] ? s.padStart(widths[i]!) : s.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const out = [line(columns.map((c) => c.header)), rule, ...body.map(line)];
  if (foot.length) out.push(rule, line(foot[0]!));
  return out.join('\n');
}

/** A number as text ("-12", "3.5e-7"): written as it is, never taken for a formula. */
const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/**
 * A text cell a spreadsheet would run as a formula (it starts with =, +, -, @, a tab or a carriage return; a
 * layer name is the user's text) gets a leading single quote, as OWASP recommends against CSV injection.
 * Numbers, and text that is a number, stay as they are.
 */
function defuse(v: string | number): string {
  const s = String(v);
  return typeof v === 'string' && /^[=+\-@\t\r]/.test(s) && !NUMBER.test(s) ? `'${s}` : s;
}

/** Renders rows as CSV (RFC 4180 quoting) with the given columns. */
export function renderCsv<T>(columns: Column<T>[], rows: T[]): string {
  const quote = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = [columns.map((c) => quote(defuse(c.header))).join(',')];
  for (const r of rows) lines.push(columns.map((c) => quote(defuse(c.value(r)))).join(','));
  return lines.join('\n') + '\n';
}

/** How a table is cut down to a terminal (see fitTable). */
export interface FitOptions<T> {
  /** The widest line allowed (e.g. the terminal's columns, 120). */
  width: number;
  /** Columns kept whatever the width (by header); the others are added in order while they fit. */
  keep: (header: string) => boolean;
  /** At most this many rows, the largest by `rank` (in their order), the rest said in a line under the table. */
  maxRows?: number;
  rank?: (row: T) => number;
  /** The longest text of the first column (layer names), shortened in the middle beyond it. */
  nameWidth?: number;
}

/** A name shortened to `max` characters, its start and end kept: `features.1.0.b…ck.3_Conv`. */
function shortName(name: string, max: number): string {
  if (name.length <= max) return name;
  const head = Math.ceil((max - 1) / 2);
  return `${name.slice(0, head)}…${name.slice(name.length - (max - 1 - head))}`;
}

/** The width of a rendered table: its longest line. */
const widthOf = (text: string) => Math.max(...text.split('\n').map((l) => l.length));

/**
 * The summary of a wide or long table: the kept columns and as many others as fit `width`, names shortened,
 * and at most `maxRows` rows (the largest by `rank`), with a line saying what was left out.
 */
export function fitTable<T>(columns: Column<T>[], rows: T[], totals: T | undefined, o: FitOptions<T>): string {
  const nameWidth = o.nameWidth ?? 32;
  const [first, ...rest] = columns;
  if (!first) return renderTable(columns, rows, totals);
  const name: Column<T> = {
    ...first,
    value: (r) => {
      const v = first.value(r);
      return typeof v === 'string' ? shortName(v, nameWidth) : v;
    },
  };
  let shown = rows;
  let dropped = 0;
  if (o.maxRows !== undefined && o.rank && rows.length > o.maxRows) {
    const rank = o.rank;
    const top = new Set([...rows].sort((a, b) => rank(b) - rank(a)).slice(0, o.maxRows));
    shown = rows.filter((r) => top.has(r));
    dropped = rows.length - shown.length;
  }
  let chosen = [name, ...rest.filter((c) => o.keep(c.header))];
  for (const c of rest) {
    if (chosen.includes(c)) continue;
    const trial = rest.filter((x) => x === c || chosen.includes(x));
    if (widthOf(renderTable([name, ...trial], shown, totals)) <= o.width) chosen = [name, ...trial];
  }
  const left = columns.length - chosen.length;
  const notes = [
    dropped ? `${dropped} of ${rows.length} rows not shown (the ${shown.length} largest are)` : '',
    left
      ? `${left} column(s) not shown: ${rest
          .filter((c) => !chosen.includes(c))
          .map((c) => c.header)
          .join(', ')}`
      : '',
  ].filter(Boolean);
  const table = renderTable(chosen, shown, totals);
  if (!notes.length) return table;
  return `${table}\n${wrapText(`summary: ${notes.join('; ')} (--full, --format csv or json for everything)`, o.width)}`;
}

/** Text broken at spaces into lines of at most `width` characters (a longer word stays whole). */
export function wrapText(text: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = `  ${word}`;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line].join('\n');
}
