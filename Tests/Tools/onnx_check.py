#!/usr/bin/env python3
"""onnx_check.py: runs netlang's ONNX exports in onnxruntime and compares with netlang.

Not part of `swift test`; installs nothing. Needs Python 3 with numpy, onnx and onnxruntime
(`pip install numpy onnx onnxruntime`) and a built netlang (`swift build`).

For each model (the shipped examples, plus small models written here that use the ops the
examples do not: batchnorm, avgpool, concat, rnn, last, leaky_relu, softmax, broadcasting
arithmetic, reshape):

1. trains it briefly (`netlang run FILE --epochs N --save W`) so the weights, and batchnorm's
   running statistics, are not the initial ones (`--epochs 0` skips this and exports the
   initial weights);
2. exports it: `netlang export FILE --load W -o M.onnx`, with NETLANG_ONNX_REFERENCE=R.json
   set in the environment. With that variable, `netlang export` also runs the model itself
   (evaluation form, the Float executor) on the first 8 examples of the data set a task pairs
   with the model, and writes inputs and outputs to R.json:
   {"inputs": {name: {"shape": [8, ...], "values": [...]}}, "outputs": {...}};
3. checks the ONNX file with onnx.checker (full check, with shape inference), runs it in
   onnxruntime on the same inputs (all 8 rows, then the first 3 rows to exercise the symbolic
   batch dimension), and compares every output with netlang's:
   passes when |onnx - netlang| <= rtol * |netlang| + atol elementwise (rtol 1e-4, atol 1e-5).

Usage (from the repository root):
    python3 Tests/Tools/onnx_check.py [--netlang .build/debug/netlang] [--epochs 1]
                                      [--only xor,iris] [--keep DIR]
Exit status 0 when every model matches, 1 otherwise.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = os.path.join(ROOT, "examples")

# The shipped examples: name -> epochs override (None: use --epochs).
SHIPPED = {
    "xor": None, "iris": None, "spirals": None, "digits_mlp": None, "mnist_mlp": None,
    "mnist_lenet": None, "autoencoder": None, "sequence_gru": None, "char_lstm": None,
}

# Extra models for ops the examples do not use. {DATA} is the examples' data folder.
EXTRA = {
    "ops_batchnorm_conv": """
data digits = idx("{DATA}/mnist5k-test-images.idx3-ubyte",
                  labels: "{DATA}/mnist5k-test-labels.idx1-ubyte", scale: 1 / 255)
data mnist = slice(digits, to: 0.2)
model BatchNormConv {
    input image: [1, 28, 28]
    h = relu(batchnorm(conv2d(image, 4, 3, padding: 1)))
    h = avgpool(h, 2)
    a = maxpool(h, [2, 2], stride: 2)
    b = avgpool(h, 3, stride: 2)
    h = concat(flatten(a), flatten(b), axis: 0)
    h = batchnorm(leaky_relu(dense(h, 32), slope: 0.1))
    h = dropout(h, 0.3)
    output probs = softmax(dense(h, 10))
}
train BatchNormConv on mnist {
    loss = cross_entropy(probs, label)
    optimizer = sgd(lr: 0.01)
    batch = 32
}
""",
    "ops_rnn_last": """
data w = waves(count: 64, steps: 12, seed: 3)
model RnnLast {
    input x: [12, 1]
    r = rnn(x, 8)
    g = gru(x, 6)
    l = lstm(concat(r, g, axis: -1), 5)
    s = reshape(l, [6, 10])
    h = sigmoid(last(s)) * 2.0 - 0.5
    h = h / (1.0 + tanh(dense(h, 1)))
    output z = dense(h, 1) + dense(x, 1)
    output seq = relu(dense(l, 3)) + dense(last(l), 3) - 0.25 * dense(l, 1)
    output y = dense(seq, 1)
}
train RnnLast on w {
    loss = mse(y, y)
    optimizer = adam(lr: 0.01)
    batch = 16
}
""",
}


def run(command, env=None, cwd=None):
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}):\n"
                           f"{result.stdout}{result.stderr}")
    return result.stdout


def check_model(name, path, args, workdir):
    weights = os.path.join(workdir, name + ".safetensors")
    model_path = os.path.join(workdir, name + ".onnx")
    reference_path = os.path.join(workdir, name + ".json")
    epochs = args.epochs
    command = [args.netlang, "export", path, "-o", model_path]
    if epochs > 0:
        run([args.netlang, "run", path, "--epochs", str(epochs), "--save", weights, "--quiet"],
            cwd=os.path.dirname(path))
        command += ["--load", weights]
    env = dict(os.environ, NETLANG_ONNX_REFERENCE=reference_path)
    run(command, env=env)

    model = onnx.load(model_path)
    onnx.checker.check_model(model, full_check=True)
    with open(reference_path) as f:
        reference = json.load(f)
    session = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
    feeds = {key: np.array(value["values"], dtype=np.float32).reshape(value["shape"])
             for key, value in reference["inputs"].items()}
    expected = {key: np.array(value["values"], dtype=np.float64).reshape(value["shape"])
                for key, value in reference["outputs"].items()}
    names = [o.name for o in session.get_outputs()]
    ok = True
    report = []
    for rows in (None, 3):
        subset = {k: (v if rows is None else v[:rows]) for k, v in feeds.items()}
        got = dict(zip(names, session.run(names, subset)))
        for key, want in expected.items():
            want = want if rows is None else want[:rows]
            have = got[key].astype(np.float64)
            if have.shape != want.shape:
                report.append(f"{key}: shape {have.shape} vs netlang {want.shape}")
                ok = False
                continue
            error = np.abs(have - want)
            worst_rel = float(np.max(error / np.maximum(np.abs(want), 1e-12)))
            scale_rel = float(error.max() / max(float(np.abs(want).max()), 1e-12))
            passed = bool(np.all(error <= args.rtol * np.abs(want) + args.atol))
            ok = ok and passed
            if rows is None:
                report.append(f"{key} {list(want.shape)}: max abs {float(error.max()):.2e}, "
                              f"max rel {worst_rel:.2e}, max abs / max |netlang| {scale_rel:.2e}"
                              f"{'' if passed else '  MISMATCH'}")
            elif not passed:
                report.append(f"{key} (batch {rows}): MISMATCH, max abs {float(error.max()):.2e}")
    ops = sorted({node.op_type for node in model.graph.node})
    return ok, report, ops


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--netlang", default=os.path.join(ROOT, ".build", "debug", "netlang"))
    parser.add_argument("--epochs", type=int, default=1,
                        help="epochs of training before export (0: initial weights)")
    parser.add_argument("--only", default="", help="comma-separated model names")
    parser.add_argument("--keep", default="", help="keep the files in this folder")
    parser.add_argument("--rtol", type=float, default=1e-4)
    parser.add_argument("--atol", type=float, default=1e-5)
    args = parser.parse_args()
    args.netlang = os.path.abspath(args.netlang)
    only = {n for n in args.only.split(",") if n}

    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
        return check_all(args, only, args.keep)
    with tempfile.TemporaryDirectory(prefix="netlang-onnx-") as workdir:
        return check_all(args, only, workdir)


def check_all(args, only, workdir):
    models = [(n, os.path.join(EXAMPLES, n + ".net")) for n in SHIPPED]
    for name, source in EXTRA.items():
        path = os.path.join(workdir, name + ".net")
        with open(path, "w") as f:
            f.write(source.replace("{DATA}", os.path.join(EXAMPLES, "data")))
        models.append((name, path))

    failures = 0
    print(f"onnxruntime {ort.__version__}, onnx {onnx.__version__}; working in {workdir}")
    for name, path in models:
        if only and name not in only:
            continue
        try:
            ok, report, ops = check_model(name, path, args, workdir)
        except Exception as error:  # report and go on with the next model
            ok, report, ops = False, [str(error).strip()], []
        failures += 0 if ok else 1
        print(f"{'ok  ' if ok else 'FAIL'} {name}: {' '.join(ops)}")
        for line in report:
            print(f"       {line}")
    print("all match" if failures == 0 else f"{failures} model(s) failed")
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
