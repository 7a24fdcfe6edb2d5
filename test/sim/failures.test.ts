/** Failures of the simulation flow each give one clear error and a non-zero exit, never partial results. */
import { chmodSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { randomQuantLayer, randomTensor } from '../../src/quant/random.js';
import { ensureBuild } from '../../src/sim/build.js';
import { buildFor } from '../../src/sim/run-network.js';
import { simulateSystolicLayer } from '../../src/accel/systolic/run.js';
import type { Build } from '../../src/sim/build.js';
import { foldIntervalMutation } from '../helpers/mutations.js';
import { MactileError } from '../../src/util/errors.js';
import { runCli } from '../helpers/cli.js';
import { systolic } from '../helpers/configs.js';
import { LAYER_CASES } from '../helpers/layer-cases.js';

const c = LAYER_CASES[0]!;
const x = randomTensor(c.layer.inShape, 8, 1);
const q = randomQuantLayer(c.layer, 8, 1);

describe('simulation failures', () => {
  it('a missing Verilator says how to install it', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'mactile-path-'));
    symlinkSync(process.execPath, join(bin, 'node'));
    const r2 = await runCli(['sim', '--net', 'lenet5', '--config', 'sa-8x8-os', '--rows', '3', '--cols', '2'], {
      env: { PATH: bin },
      extendEnv: false,
    });
    expect(r2.code).toBe(3);
    expect(r2.stderr).toMatch(
      /^mactile: Verilator: expected the `verilator` command on PATH, found none\. Install it with `sudo apt-get install -y verilator`/,
    );
    expect(r2.stderr).not.toMatch(/at .*\.ts:\d+/);
    expect(r2.stdout).toBe('');
  });

  it('a Verilator build failure reports the compiler error excerpt', async () => {
    const bad = `\`default_nettype none\nmodule mt_sa_top(input wire clk);\n  wire x = undefined_signal;\nendmodule\n`;
    const err = await ensureBuild({
      files: [['mt_sa_top.sv', bad]],
      top: 'mt_sa_top',
      header: '#pragma once\n',
      driver: 'sa_driver.cpp',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MactileError);
    expect((err as Error).message).toMatch(/Verilator build of mt_sa_top failed/);
    expect((err as Error).message).toMatch(/%Error.*undefined_signal/);
  });

  it('a hung simulation is stopped by the watchdog', async () => {
    const cfg = systolic(4, 4, 'os');
    const slow = await buildFor(cfg, foldIntervalMutation(5000));
    const err = await simulateSystolicLayer(slow, cfg, c.layer, x, q).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MactileError);
    expect((err as Error).message).toMatch(
      /layer conv3x3_pad1: the simulation hung: GEMM 1 of 1 did not finish within \d+ cycles \(the analytic model predicts \d+\); no results are reported/,
    );
  });

  it('a crashed simulator is reported as a crash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mactile-crash-'));
    const fake = join(dir, 'sim');
    writeFileSync(fake, '#!/bin/sh\nkill -SEGV $$\n');
    chmodSync(fake, 0o755);
    const err = await simulateSystolicLayer({ binary: fake } as Build, systolic(4, 4, 'os'), c.layer, x, q).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MactileError);
    expect((err as Error).message).toMatch(
      /layer conv3x3_pad1: the simulator crashed \(SIGSEGV\); no results are reported/,
    );
  });

  it('a driver given a job for another array refuses it', async () => {
    const other = await buildFor(systolic(2, 3, 'os'));
    const err = await simulateSystolicLayer(other, systolic(4, 4, 'os'), c.layer, x, q).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(
      /the simulator failed \(exit 2\): driver: job was planned for another array/,
    );
  });

  it('a driver given a job for another timing mode refuses it', async () => {
    const serial = await buildFor(systolic(4, 4, 'os', 'scalesim'));
    const err = await simulateSystolicLayer(serial, systolic(4, 4, 'os', 'pipelined'), c.layer, x, q).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MactileError);
    expect((err as Error).message).toMatch(
      /^layer conv3x3_pad1: the simulator failed \(exit 2\): driver: job was planned for another timing mode \(pipelined fold timing; this build runs scalesim\)$/,
    );
  });
});
