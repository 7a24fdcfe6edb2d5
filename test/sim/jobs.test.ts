/** `sim --jobs N`: layers in parallel driver processes give what one at a time gives, and a failure stops the rest. */
import { describe, expect, it, vi } from 'vitest';
import { accelOf } from '../../src/accel/registry.js';
import { macLayers } from '../../src/nets/ir.js';
import { loadNetwork } from '../../src/nets/load.js';
import { simulateNetwork, type LayerCheck } from '../../src/sim/run-network.js';
import { MactileError } from '../../src/util/errors.js';
import { Slots } from '../../src/util/slots.js';
import { runCliInProcess } from '../helpers/cli.js';
import { KIND_TEST_CONFIGS } from '../helpers/configs.js';

// The failure case replaces the RTL run of every layer by a failure (the first) or a slow success.
const failing = vi.hoisted(() => ({ on: false, calls: 0, all: false }));
vi.mock('../../src/accel/check.js', async (original) => {
  const real = await original<typeof import('../../src/accel/check.js')>();
  return {
    ...real,
    checkLayer: (...args: Parameters<typeof real.checkLayer>) => {
      if (!failing.on) return real.checkLayer(...args);
      const call = failing.calls++;
      return new Promise((resolve, reject) =>
        setTimeout(
          () =>
            call === 0 || failing.all
              ? reject(new MactileError(`layer ${args[3].name}: the simulation crashed`))
              : resolve(real.checkLayer(...args)),
          call === 0 ? 50 : 300,
        ),
      );
    },
  };
});

const lenet = loadNetwork('lenet5');

/** A check without the figures that depend on the machine (wall time). */
const figures = ({ wallSeconds: _wall, ...rest }: LayerCheck) => rest;

describe('sim --jobs', () => {
  for (const [kind, cfg] of [
    ['systolic', KIND_TEST_CONFIGS.systolic!.layerCases[0]!],
    ['nvdla', KIND_TEST_CONFIGS.nvdla!.layerCases[0]!],
  ] as const)
    it(`${kind}: LeNet-5 with 3 layers at once equals one at a time, layer by layer, in layer order`, async () => {
      const one = await simulateNetwork(lenet, cfg, { jobs: 1 });
      const started: string[] = [];
      const three = await simulateNetwork(lenet, cfg, { jobs: 3, onStart: (l) => started.push(l.name) });
      expect(three.ok).toBe(true);
      expect(three.layers.map((c) => c.name)).toEqual(macLayers(lenet).map((l) => l.name));
      expect(three.layers.map(figures)).toEqual(one.layers.map(figures));
      expect(started.sort()).toEqual(
        macLayers(lenet)
          .map((l) => l.name)
          .sort(),
      );
    });

  it('after a layer fails no further layer starts, the running one finishes, and the error is the failed layer', async () => {
    const cfg = KIND_TEST_CONFIGS.systolic!.layerCases[0]!;
    const started: string[] = [];
    const finished: string[] = [];
    failing.on = true;
    const err = await simulateNetwork(lenet, cfg, {
      jobs: 2,
      onStart: (l) => started.push(l.name),
      onLayer: (c) => finished.push(c.name),
    })
      .catch((e: unknown) => e)
      .finally(() => (failing.on = false));
    expect(err).toBeInstanceOf(MactileError);
    expect((err as Error).message).toBe(`layer ${started[0]}: the simulation crashed`);
    // The two longest layers (the model's cycles) start first; the first call fails, the second finishes.
    const longest = macLayers(lenet)
      .map((l, i) => ({ name: l.name, i, cycles: accelOf(cfg).predictLayer(l, cfg, lenet).cycles }))
      .sort((a, b) => b.cycles - a.cycles || a.i - b.i)
      .map((l) => l.name);
    expect(started).toEqual(longest.slice(0, 2));
    expect(finished).toEqual([longest[1]]);
  });

  it('when the layers running beside the first failure fail too, the error is the first one and counts the others', async () => {
    const cfg = KIND_TEST_CONFIGS.systolic!.layerCases[0]!;
    failing.on = true;
    failing.all = true;
    failing.calls = 0;
    const started: string[] = [];
    const err = await simulateNetwork(lenet, cfg, { jobs: 2, onStart: (l) => started.push(l.name) })
      .catch((e: unknown) => e)
      .finally(() => Object.assign(failing, { on: false, all: false }));
    expect((err as Error).message).toBe(
      `layer ${started[0]}: the simulation crashed (and 1 more layer(s) running beside it failed)`,
    );
  });

  it('a pool of no slots is refused, not left waiting forever', () => {
    for (const bad of [0, -1, 1.5, NaN]) expect(() => new Slots(bad)).toThrow(/expected a whole number of slots/);
  });

  it('is refused with --quantized, whose layers run in order', async () => {
    const r = await runCliInProcess(['sim', '--quantized', 'x.q.json', '--config', 'sa-8x8-os', '--jobs', '2']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^mactile: --jobs: expected with --net NET, received with --quantized/);
  });

  it('is a whole number from 1 to 64', async () => {
    for (const bad of ['0', '65', '1.5', 'two']) {
      const r = await runCliInProcess(['sim', '--net', 'lenet5', '--config', 'sa-8x8-os', '--jobs', bad]);
      expect(r.code, bad).toBe(2);
      expect(r.stderr, bad).toMatch(/--jobs/);
    }
  });
});
