/**
 * A page under construction: HTML parts, the tables (each also saved as data/tables/<id>.json, the values
 * of its cells) and the charts (each saved as data/charts/<id>.vl.json and inlined as SVG, every data mark
 * with a hover title of its figures).
 */
import { renderSvg, type VegaLiteSpec } from './charts.js';
import { esc, htmlTable, slug, type HtmlColumn } from './html.js';
import { renderCsv } from './table.js';

/** Gives every data mark of an SVG chart a <title> (its aria-label), which a browser shows on hover. */
function withHoverTitles(svg: string): string {
  return svg.replace(
    /<(path|rect|line)( [^>]*?role="graphics-symbol"[^>]*?)\/>/g,
    (mark, tag: string, attrs: string) => {
      const label = / aria-label="([^"]*)"/.exec(attrs);
      return label ? `<${tag}${attrs}><title>${label[1]}</title></${tag}>` : mark;
    },
  );
}

export class Page {
  readonly parts: string[] = [];
  readonly files: [string, string][] = [];
  private ids = new Set<string>();

  /** A unique id (tables and charts apart: a table and its chart may share a name). */

  /** Appends HTML. */
  add(...html: string[]): void {
    this.parts.push(...html);
  }

  /** A data file of the report, relative to its data/ folder. */
  save(name: string, text: string): void {
    this.files.push([`data/${name}`, text]);
  }

  private unique(what: 'table' | 'chart', id: string): string {
    const s = slug(id);
    if (this.ids.has(`${what} ${s}`)) throw new Error(`study report: two ${what}s named ${s}`);
    this.ids.add(`${what} ${s}`);
    return s;
  }

  /** A table whose cells carry their values, saved as JSON and CSV beside the page. */
  table<T>(id: string, columns: HtmlColumn<T>[], rows: T[]): void {
    const s = this.unique('table', id);
    this.add(htmlTable(s, columns, rows));
    this.save(
      `tables/${s}.json`,
      JSON.stringify(
        rows.map((r) => Object.fromEntries(columns.map((c) => [c.key, c.value(r)]))),
        null,
        1,
      ),
    );
    this.save(`tables/${s}.csv`, renderCsv(columns, rows));
  }

  /** A chart rendered to SVG now, its specification saved beside the page. */
  async chart(id: string, spec: VegaLiteSpec): Promise<void> {
    const s = this.unique('chart', id);
    this.save(`charts/${s}.vl.json`, JSON.stringify(spec, null, 1));
    this.add(`<div class="chart" data-chart="${esc(s)}">${withHoverTitles(await renderSvg(spec))}</div>`);
  }
}
