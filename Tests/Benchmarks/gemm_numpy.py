#!/usr/bin/env python3
# GEMM GFLOP/s of numpy (OpenBLAS) at the shapes GemmBenchmark.swift measures, one thread.
# Run: OPENBLAS_NUM_THREADS=1 python3 Tests/Benchmarks/gemm_numpy.py
# Best of 25 short trials, so a busy machine disturbs the numbers less.
import time

import numpy as np

SHAPES = [  # (transpose A, transpose B, M, N, K)
    (False, False, 256, 256, 256), (False, False, 512, 512, 512),
    (False, False, 1024, 1024, 1024), (False, True, 64, 512, 784), (False, False, 64, 784, 512),
    (True, False, 784, 512, 64), (False, True, 64, 784, 512), (True, True, 256, 256, 256),
]

def bench(ta, tb, m, n, k):
    rng = np.random.default_rng(1)
    a = rng.random((k, m) if ta else (m, k), dtype=np.float32)
    b = rng.random((n, k) if tb else (k, n), dtype=np.float32)
    left, right = (a.T if ta else a), (b.T if tb else b)
    out = np.empty((m, n), dtype=np.float32)
    flops = 2.0 * m * n * k
    repeats = max(2, int(5e8 / flops))
    best = float("inf")
    for _ in range(25):
        start = time.perf_counter()
        for _ in range(repeats):
            np.matmul(left, right, out=out)
        best = min(best, (time.perf_counter() - start) / repeats)
    print(f"numpy {m}x{n}x{k} ta={ta} tb={tb}: {flops / best / 1e9:.0f} GFLOP/s  {best * 1e6:.0f} us")

# NETLANG_BENCH_SHAPES="ta,tb,m,n,k;..." (ta, tb as 0/1) replaces the list, as for Swift.
import os
if os.environ.get("NETLANG_BENCH_SHAPES"):
    SHAPES = [tuple(bool(int(v)) if i < 2 else int(v) for i, v in enumerate(item.split(",")))
              for item in os.environ["NETLANG_BENCH_SHAPES"].split(";")]
for shape in SHAPES:
    bench(*shape)
