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
