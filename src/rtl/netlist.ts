/**
 * A small description of Verilog modules at netlist level: ports, parameters, nets, continuous
 * assignments, clocked processes and instances of the hand-written cells in hw-templates/.
 * Generators build these objects; emit.ts prints them.
 */

export interface VPort {
  dir: 'input' | 'output';
  name: string;
  /** Bit width (a number, or a parameter expression). */
  width: number | string;
  signed?: boolean;
  /** Outputs driven from a process are declared `reg`. */
  reg?: boolean;
  /** Declare a range even when the width is 1 (lane buses that are indexed). */
  vector?: boolean;
  comment?: string;
}

export interface VNet {
  kind: 'wire' | 'reg';
  name: string;
  width: number | string;
  signed?: boolean;
  vector?: boolean;
  comment?: string;
}

export interface VAssign {
  kind: 'assign';
  lhs: string;
  rhs: string;
}

export interface VInstance {
  kind: 'instance';
  module: string;
  name: string;
  params: [string, number | string][];
  conns: [string, string][];
}

export interface VProcess {
  kind: 'always';
  comment?: string;
  /** Statements, one per line; nesting is expressed with begin/end in the lines themselves. */
  body: string[];
}

export interface VComment {
  kind: 'comment';
  text: string;
}

/** A generate loop `for (var = 0; var < count; var++) begin : label ... end`. */
export interface VGenerateFor {
  kind: 'for';
  genvar: string;
  count: number | string;
  label: string;
  items: VItem[];
}

export interface VLint {
  kind: 'lint';
  on: boolean;
  rule: string;
}

export type VItem = VNet | VAssign | VInstance | VProcess | VComment | VGenerateFor | VLint;

export interface VModule {
  name: string;
  header: string[];
  params: [string, number][];
  ports: VPort[];
  items: VItem[];
}

/** A net declaration. */
export const wire = (name: string, width: number | string, comment?: string): VNet => ({
  kind: 'wire',
  name,
  width,
  comment,
});
/** A register declaration. */
export const reg = (name: string, width: number | string, comment?: string): VNet => ({
  kind: 'reg',
  name,
  width,
  comment,
});
/** A lane bus (always declared with a range, even one lane wide). */
export const bus = (name: string, width: number, comment?: string): VNet => ({
  kind: 'wire',
  name,
  width,
  vector: true,
  comment,
});
/** A register holding a lane bus. */
export const busReg = (name: string, width: number, comment?: string): VNet => ({
  kind: 'reg',
  name,
  width,
  vector: true,
  comment,
});
/** A continuous assignment. */
export const assign = (lhs: string, rhs: string): VAssign => ({ kind: 'assign', lhs, rhs });
/** An instance of a cell. */
export const instance = (
  module: string,
  name: string,
  params: [string, number | string][],
  conns: [string, string][],
): VInstance => ({
  kind: 'instance',
  module,
  name,
  params,
  conns,
});
/** A clocked process on the rising edge of clk. */
export const always = (body: string[], comment?: string): VProcess => ({ kind: 'always', body, comment });
/** A comment line. */
export const comment = (text: string): VComment => ({ kind: 'comment', text });

/** The counters every generated top keeps: cycles while busy and results written (`inc` per write when `write`). */
export function counterProcess(write: string, inc: string): VProcess {
  return always(
    [
      'if (start && !busy) begin',
      "  cnt_cycles <= 64'd0;",
      "  cnt_outputs <= 64'd0;",
      'end else begin',
      "  if (busy) cnt_cycles <= cnt_cycles + 64'd1;",
      `  if (${write}) cnt_outputs <= cnt_outputs + 64'(${inc});`,
      'end',
    ],
    'Counters: cycles while busy, results written.',
  );
}
