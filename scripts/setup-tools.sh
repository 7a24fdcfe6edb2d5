#!/usr/bin/env bash
# Installs the system tools mactile needs when they are missing: Verilator, yosys, a C++ toolchain, ccache and
# gtkwave (its fst2vcd decodes the waveforms of `sim --trace`) (Debian packages), and the extras named as arguments
# (chromium; pytorch: python3-torch, python3-torchvision, python3-onnx). As root it runs apt-get; otherwise it says
# what to install and fails.
set -euo pipefail

need=()
command -v verilator >/dev/null 2>&1 || need+=(verilator)
command -v yosys >/dev/null 2>&1 || need+=(yosys)
command -v g++ >/dev/null 2>&1 || need+=(g++)
command -v make >/dev/null 2>&1 || need+=(make)
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v ccache >/dev/null 2>&1 || need+=(ccache)
command -v fst2vcd >/dev/null 2>&1 || need+=(gtkwave)
for extra in "$@"; do
  case "$extra" in
    chromium) command -v chromium >/dev/null 2>&1 || need+=(chromium) ;;
    # Debian's PyTorch 1.13, torchvision 0.14 and onnx 1.12 (only `make pytorch-fixtures` needs them).
    pytorch) /usr/bin/python3 -c 'import torch, torchvision, onnx' >/dev/null 2>&1 ||
      need+=(python3-torch python3-torchvision python3-onnx) ;;
    *) echo "setup-tools: unknown extra tool $extra" >&2; exit 2 ;;
  esac
done

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "setup: installing ${need[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
else
  echo "setup: missing ${need[*]}. Install them with: sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
