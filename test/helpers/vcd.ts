/** A small reader of the VCD text `fst2vcd` prints: signal names by scope, and each signal's value over time. */

/** A decoded VCD: the times dumped and, per full signal name (TOP.mt_sa_top.cnt_cycles), its changes. */
export interface Vcd {
  times: number[];
  /** Value of a signal at a time (the last change at or before it), as a bigint; undefined before any. */
  at(name: string, time: number): bigint | undefined;
  names: Set<string>;
}

/** Parses VCD text. Values with x or z bits read as undefined. */
export function parseVcd(text: string): Vcd {
  const idOf = new Map<string, string>();
  const changes = new Map<string, { t: number; v: bigint | undefined }[]>();
  const scope: string[] = [];
  const times: number[] = [];
  let t = -1;
  const record = (id: string, v: string) => {
    const list = changes.get(id) ?? [];
    changes.set(id, list);
    list.push({ t, v: /^[01]+$/.test(v) ? BigInt(`0b${v}`) : undefined });
  };
  for (const line of text.split('\n')) {
    const s = line.trim();
    if (s === '') continue;
    if (s.startsWith('$scope')) scope.push(s.split(/\s+/)[2]!);
    else if (s.startsWith('$upscope')) scope.pop();
    else if (s.startsWith('$var')) {
      const f = s.split(/\s+/);
      idOf.set([...scope, f[4]!].join('.'), f[3]!);
    } else if (s.startsWith('#')) {
      t = Number(s.slice(1));
      times.push(t);
    } else if (s.startsWith('$')) continue;
    else if (s[0] === 'b' || s[0] === 'B') {
      const [v, id] = s.slice(1).split(/\s+/);
      record(id!, v!);
    } else if (/^[01xzXZ]/.test(s)) record(s.slice(1), s[0]!);
  }
  return {
    times,
    names: new Set(idOf.keys()),
    at(name, time) {
      const id = idOf.get(name);
      if (id === undefined) throw new Error(`no signal ${name} in the VCD`);
      let v: bigint | undefined;
      for (const c of changes.get(id) ?? []) {
        if (c.t > time) break;
        v = c.v;
      }
      return v;
    },
  };
}
