/**
 * Prints netlist descriptions as Verilog. Output is deterministic (same description, same bytes) and
 * follows the lint rules the project keeps: `default_nettype none, one module per file named after it.
 */
import type { VItem, VModule, VPort } from './netlist.js';

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

function checkIdent(name: string, what: string): string {
  if (!IDENT.test(name)) throw new Error(`netlist: ${what} ${JSON.stringify(name)} is not a Verilog identifier`);
  return name;
}

function range(width: number | string, vector = false): string {
  if (typeof width === 'number') return width === 1 && !vector ? '' : `[${width - 1}:0] `;
  return `[${width}-1:0] `;
}

function portLine(p: VPort): string {
  const kind = p.dir === 'output' && p.reg ? 'output reg ' : `${p.dir} wire `;
  const text = `${kind}${p.signed ? 'signed ' : ''}${range(p.width, p.vector)}${checkIdent(p.name, 'port')}`;
  return p.comment ? `${text}  // ${p.comment}` : text;
}

function emitItems(items: VItem[], indent: string): string[] {
  const out: string[] = [];
  for (const it of items) {
    switch (it.kind) {
      case 'wire':
      case 'reg': {
        const decl = `${indent}${it.kind} ${it.signed ? 'signed ' : ''}${range(it.width, it.vector)}${checkIdent(it.name, 'net')};`;
        out.push(it.comment ? `${decl}  // ${it.comment}` : decl);
        break;
      }
      case 'assign':
        out.push(`${indent}assign ${it.lhs} = ${it.rhs};`);
        break;
      case 'comment':
        out.push(`${indent}// ${it.text}`);
        break;
      case 'lint':
        out.push(`${indent}/* verilator lint_${it.on ? 'on' : 'off'} ${it.rule} */`);
        break;
      case 'always':
        if (it.comment) out.push(`${indent}// ${it.comment}`);
        out.push(`${indent}always @(posedge clk) begin`);
        for (const line of it.body) out.push(line === '' ? '' : `${indent}  ${line}`);
        out.push(`${indent}end`);
        break;
      case 'instance': {
        const params = it.params.length
          ? ` #(\n${it.params.map(([k, v]) => `${indent}  .${checkIdent(k, 'parameter')}(${v})`).join(',\n')}\n${indent})`
          : '';
        out.push(`${indent}${checkIdent(it.module, 'module')}${params} ${checkIdent(it.name, 'instance')} (`);
        out.push(it.conns.map(([port, net]) => `${indent}  .${checkIdent(port, 'port')}(${net})`).join(',\n'));
        out.push(`${indent});`);
        break;
      }
      case 'for':
        out.push(
          `${indent}for (${it.genvar} = 0; ${it.genvar} < ${it.count}; ${it.genvar} = ${it.genvar} + 1) begin : ${checkIdent(it.label, 'label')}`,
        );
        out.push(...emitItems(it.items, `${indent}  `));
        out.push(`${indent}end`);
        break;
    }
  }
  return out;
}

/** Prints one module as a complete Verilog file. */
export function emitModule(m: VModule): string {
  const lines: string[] = ['`default_nettype none'];
  for (const h of m.header) lines.push(`// ${h}`);
  const params = m.params.length
    ? ` #(\n${m.params.map(([k, v]) => `  parameter int ${checkIdent(k, 'parameter')} = ${v}`).join(',\n')}\n)`
    : '';
  lines.push(`module ${checkIdent(m.name, 'module')}${params} (`);
  lines.push(
    m.ports
      .map((p) => `  ${portLine(p)}`)
      .join(',\n')
      .replace(/ {2}\/\/ ([^\n]*),\n/g, ', // $1\n'),
  );
  lines.push(');');
  const genvars = new Set<string>();
  const collect = (items: VItem[]) =>
    items.forEach((i) => {
      if (i.kind === 'for') {
        genvars.add(i.genvar);
        collect(i.items);
      }
    });
  collect(m.items);
  if (genvars.size) lines.push(`  genvar ${[...genvars].sort().join(', ')};`);
  lines.push(...emitItems(m.items, '  '));
  lines.push('endmodule', '`default_nettype wire', '');
  return lines.join('\n');
}
