"""W7 in numpy (OpenBLAS sgemm): C = A·B, A·Bᵀ, Aᵀ·B at the shapes `netlang bench --only gemm`
uses, GFLOP/s (median of repetitions), one JSON object per line in its format."""
from common import set_thread_environment
import argparse, json, statistics, time
parser = argparse.ArgumentParser()
parser.add_argument("--threads", type=int, default=1)
parser.add_argument("--repetitions", type=int, default=5)
args, _ = parser.parse_known_args()
set_thread_environment(args.threads)
import numpy as np

cases = []
for size in (128, 256, 512, 1024):
    for t in ("NN", "NT", "TN"):
        cases.append((t, size, size, size))
for inputs, outputs in ((784, 512), (512, 256), (256, 10)):
    cases += [("NT", 64, outputs, inputs), ("NN", 64, inputs, outputs), ("TN", outputs, inputs, 64)]
for t, m, n, k in cases:
    a = np.full((k, m) if t[0] == "T" else (m, k), 0.5, np.float32)
    b = np.full((n, k) if t[1] == "T" else (k, n), 0.25, np.float32)
    op_a = a.T if t[0] == "T" else a
    op_b = b.T if t[1] == "T" else b
    c = np.empty((m, n), np.float32)
    flops = 2.0 * m * n * k
    iterations = max(2, int(2e8 / flops))
    for _ in range(max(1, iterations // 4)):
        np.matmul(op_a, op_b, out=c)
    rates = []
    for _ in range(args.repetitions):
        start = time.perf_counter()
        for _ in range(iterations):
            np.matmul(op_a, op_b, out=c)
        rates.append(flops * iterations / (time.perf_counter() - start) / 1e9)
    print(json.dumps({"workload": "gemm", "shape": f"{t} {m}x{n}x{k}", "threads": args.threads,
                      "tool": "numpy", "gflops": round(statistics.median(rates), 2)}), flush=True)
