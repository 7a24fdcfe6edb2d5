#!/usr/bin/env bash
# The main job: the whole study of LeNet-5, AlexNet and EfficientNet-B0 in one report that opens with its
# findings: post-training quantization of the three shipped trained models to INT8 and INT16 (every
# calibration and granularity, accuracy on held-out MNIST digits, per-layer SQNR), the analytic model of the
# three zoo networks on the NVDLA-style presets and on systolic arrays of 8x8 to 128x128 (os, ws, is) beside
# NVDLA's spreadsheet and SCALE-Sim, and a stated subset through the generated RTL, checked bit-exact and
# cycle-exact. The quantization studies run as child processes beside the hardware part (--jobs 2). Accuracy is
# on every second held-out digit (1,000 of the 2,000) to stay under 10 minutes on 2 cores; `mactile study`
# without --test-images uses all 2,000 (about 9 minutes more CPU).
set -euo pipefail
cd "$(dirname "$0")/.."
out=reports/demo
node dist/src/cli/main.js study --test-images 1000 --out "$out" "$@"
echo
echo "The report is at $(pwd)/$out/index.html"
