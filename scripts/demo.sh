#!/usr/bin/env bash
# The main job: the whole study of LeNet-5 with the shipped trained model: post-training quantization to
# INT8 and INT16 with accuracy on 2,000 held-out MNIST digits, then every layer of a real inference through
# the generated RTL of a 16x16 systolic array (os, ws, is) and the nv_small NVDLA-style core, checked
# bit-exact and cycle-exact, written as an HTML report with charts.
set -euo pipefail
cd "$(dirname "$0")/.."
out=reports/demo
node dist/src/cli/main.js report \
  --net lenet5 --model models/lenet5.onnx \
  --configs sa-16x16-os,sa-16x16-ws,sa-16x16-is,nv_small \
  --precision int8,int16 --out "$out"
echo
echo "The report is at $(pwd)/$out/index.html"
