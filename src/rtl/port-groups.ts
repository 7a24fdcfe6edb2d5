/** Groups a top module's ports by name prefix for the manifest: which ports serve which purpose. */
import type { VPort } from './netlist.js';

/** Groups ports by the first prefix they match; prefixes naming the same group share it (its first purpose). */
export function portGroups(
  ports: VPort[],
  groups: [prefix: string, group: string, purpose: string][],
): { group: string; ports: string[]; purpose: string }[] {
  const out: { group: string; ports: string[]; purpose: string }[] = [];
  for (const p of ports) {
    const match = groups.find(([prefix]) => p.name.startsWith(prefix));
    if (!match) continue;
    let g = out.find((x) => x.group === match[1]);
    if (!g) out.push((g = { group: match[1], ports: [], purpose: match[2] }));
    else if (!g.purpose) g.purpose = match[2];
    g.ports.push(p.name);
  }
  return out;
}
