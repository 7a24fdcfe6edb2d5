#!/usr/bin/env bash
# The main job: the whole study of LeNet-5, AlexNet and EfficientNet-B0 in one report that opens with its
# findings: post-training quantization of the three shipped trained models to INT8 and INT16 (every
# calibration and granularity, accuracy on held-out MNIST digits, per-layer SQNR), the analytic model of the
# three zoo networks on the NVDLA-style presets and on systolic arrays of 8x8 to 128x128 (os, ws, is) beside
# NVDLA's spreadsheet and SCALE-Sim, and a stated subset through the generated RTL, checked bit-exact and
# cycle-exact. The quantization studies run as child processes beside the hardware part (--jobs 2). Accuracy is
# on all 2,000 held-out digits (6 min 00 s wall, 10 min 28 s CPU from a clean clone on this 2-core machine,
# docs/BENCHMARKS.md). Area: hierarchical yosys runs within 150 s (about the 8x8 array and nv_small from an empty
# synthesis cache; cached runs are free, so a second demo shows more), beside the accuracy jobs.
set -euo pipefail
cd "$(dirname "$0")/.."
out=reports/demo
node dist/src/cli/main.js study --out "$out" --area-budget 150 "$@"
echo
echo "The report is at $(pwd)/$out/index.html"
