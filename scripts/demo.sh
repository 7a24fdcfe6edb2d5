#!/usr/bin/env bash
# The main job, for now: LeNet-5 on the systolic presets, analytic model beside SCALE-Sim's numbers,
# then every layer through the generated RTL (Verilator), checked bit- and cycle-exact.
set -euo pipefail
cd "$(dirname "$0")/.."
mactile() { node dist/src/cli/main.js "$@"; }

echo "== mactile nets"
mactile nets
for cfg in sa-16x16-os sa-16x16-ws sa-16x16-is; do
  echo
  echo "== mactile analyze --net lenet5 --config $cfg --compat scalesim"
  mactile analyze --net lenet5 --config "$cfg" --compat scalesim
  echo
  echo "== mactile analyze --net lenet5 --config $cfg"
  mactile analyze --net lenet5 --config "$cfg"
done
for cfg in sa-16x16-os sa-16x16-ws sa-16x16-is; do
  for prec in int8 int16; do
    echo
    echo "== mactile sim --net lenet5 --config $cfg --precision $prec"
    mactile sim --net lenet5 --config "$cfg" --precision "$prec"
  done
done
echo
echo "== mactile sim --net lenet5 --config sa-16x16-ws-pipelined"
mactile sim --net lenet5 --config sa-16x16-ws-pipelined
