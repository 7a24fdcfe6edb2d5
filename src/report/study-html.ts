/**
 * The three-network study report: one self-contained index.html (inline SVG, one inline script that sorts a
 * table by the column clicked, nothing from the network) that
 * opens with the findings, then a table of contents and one section per question, with study.json (the
 * data it is rendered from) and the JSON and CSV of every table beside it.
 */
import type { StudyData } from '../study/data.js';
import { studyFindings } from '../study/findings.js';
import { writeOutputFiles } from '../util/output.js';
import { esc } from './html.js';
import { energySection } from './study-energy.js';
import { Page } from './study-page.js';
import { accuracySection, nvdlaSection, rtlSection } from './study-sections.js';
import { int16Section, systolicSection, verdictSection } from './study-systolic.js';

const CSS = `body{font-family:Helvetica,Arial,sans-serif;margin:24px auto;color:#222;max-width:1400px;padding:0 16px}
h1{font-size:24px}h2{font-size:19px;margin-top:36px;border-bottom:1px solid #ccc}h3{font-size:15px;margin-top:22px}
table{border-collapse:collapse;font-size:12px;margin:8px 0}th,td{border:1px solid #ddd;padding:3px 6px}th{background:#f3f3f3;cursor:pointer}
td.num{text-align:right;font-variant-numeric:tabular-nums}.row{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}
.chart{border:1px solid #eee;padding:6px;overflow-x:auto;max-width:100%}ol.findings li{margin:4px 0;line-height:1.4}ol.findings{margin:4px 0}
nav ul{columns:2}summary{cursor:pointer;margin:8px 0}pre{background:#f7f7f7;padding:8px;font-size:12px;overflow-x:auto}`;

/** Sorts a table by the column whose header is clicked (numbers as numbers; a second click reverses). */
const SORT_SCRIPT = `document.querySelectorAll('table[data-table]').forEach((t) => {
  t.querySelectorAll('th').forEach((th, i) => {
    th.title = 'click to sort';
    th.addEventListener('click', () => {
      const body = t.tBodies[0];
      const rows = [...body.rows];
      const dir = th.dataset.dir === 'asc' ? -1 : 1;
      th.dataset.dir = dir === 1 ? 'asc' : 'desc';
      const v = (r) => r.cells[i].getAttribute('data-value');
      const num = rows.every((r) => v(r) !== '' && !isNaN(Number(v(r))));
      rows.sort((a, b) => dir * (num ? Number(v(a)) - Number(v(b)) : v(a).localeCompare(v(b))));
      rows.forEach((r) => body.appendChild(r));
    });
  });
});`;

const SECTIONS: [string, string][] = [
  ['findings', 'Findings'],
  ['accuracy', '1. What INT8 and INT16 cost in accuracy'],
  ['nvdla', '2. How long the networks take on an NVDLA-style core'],
  ['systolic', '3. How a systolic array does on them'],
  ['int16', '4. What INT16 costs in bytes and bandwidth'],
  ['verdicts', '5. Per-layer bottleneck verdict'],
  ['rtl', '6. The RTL against the analytic model'],
  ['energy', '7. Energy per inference and area'],
  ['provenance', 'How this report was made'],
];

function provenance(p: Page, d: StudyData): void {
  p.add('<h2 id="provenance">How this report was made</h2>', `<pre>${esc(d.command)}</pre>`);
  p.add(
    `<p>Generated ${esc(d.date)}; accuracy ${d.seconds.accuracy.toFixed(0)} s, analytic models ${d.seconds.analytic.toFixed(1)} s, RTL ${d.seconds.rtl.toFixed(0)} s, ${d.seconds.area === undefined ? '' : `area (yosys) ${d.seconds.area.toFixed(0)} s, `}${d.seconds.total.toFixed(0)} s in all (wall).</p>`,
  );
  for (const n of d.notes) p.add(`<p data-note>${esc(n)}</p>`);
  p.add(
    `<pre>${esc(
      Object.entries(d.tools)
        .map(([k, v]) => `${k}: ${v}`)
        .join('\n'),
    )}</pre>`,
  );
  const runs = [
    ...d.accuracy.flatMap((a) =>
      a.variants.map((v) => ({
        what: `quantize ${a.model}`,
        config: `${v.calibration}/${v.granularity}`,
        precision: v.precision,
        level: 'golden integer executor',
      })),
    ),
    ...[...d.nvdla, ...d.systolic].map((r) => ({
      what: r.net,
      config: r.config,
      precision: r.precision,
      level: `analytic model${r.dram === 'calc' || r.dram === undefined ? '' : `, DRAM ${r.dram} words/cycle`}`,
    })),
    ...d.rtl.map((r) => ({ what: r.net, config: r.config, precision: r.precision, level: `RTL, ${r.operands}` })),
  ];
  type Run = (typeof runs)[number];
  p.add(`<details><summary>Every run of the study with its precision (${runs.length})</summary>`);
  p.table<Run>(
    'provenance',
    [
      { key: 'what', header: 'network or model', value: (r) => r.what },
      { key: 'config', header: 'config', value: (r) => r.config },
      { key: 'precision', header: 'precision', value: (r) => r.precision },
      { key: 'level', header: 'level', value: (r) => r.level },
    ],
    runs,
  );
  p.add('</details>');
}

/** Renders the report of study data into `dir`: index.html, study.json and the tables' and charts' files. */
export async function writeStudyReport(dir: string, d: StudyData, label = dir): Promise<string[]> {
  const p = new Page();
  const findings = studyFindings(d);
  p.add(`<h1>${esc(d.title)}</h1>`);
  p.add(
    `<p>${d.nets.map((n) => `<b>${esc(n.name)}</b> (${esc(n.input)}, ${n.macLayers} MAC layers, ${(n.macs / 1e6).toFixed(1)} M MACs)`).join(', ')}.</p>`,
  );
  p.add('<h2 id="findings">Findings</h2>');
  let number = 1;
  for (const topic of [...new Set(findings.map((f) => f.topic))]) {
    p.add(`<h3>${esc(topic)}</h3><ol class="findings" start="${number}">`);
    for (const f of findings.filter((x) => x.topic === topic)) {
      p.add(`<li data-finding="${esc(f.id)}">${esc(f.text)} <a href="#${esc(f.anchor)}">evidence</a></li>`);
      number++;
    }
    p.add('</ol>');
  }
  p.save('findings.json', JSON.stringify(findings, null, 1));
  p.add(
    `<nav id="toc"><h2>Contents</h2><ul>${SECTIONS.map(([id, t]) => `<li><a href="#${id}">${esc(t)}</a></li>`).join('')}</ul></nav>`,
  );
  await accuracySection(p, d);
  await nvdlaSection(p, d);
  await systolicSection(p, d);
  int16Section(p, d);
  verdictSection(p, d);
  await rtlSection(p, d);
  await energySection(p, d);
  provenance(p, d);
  const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(d.title)}</title><style>${CSS}</style></head>
<body>
${p.parts.join('\n')}
<script>${SORT_SCRIPT}</script>
</body></html>
`;
  return writeOutputFiles(dir, [['index.html', html], ['study.json', JSON.stringify(d, null, 1)], ...p.files], label);
}
