"""Shared timing and output for the comparison benchmarks (issue 6): the same workloads as
`netlang bench`, one JSON object per line in its format. Not run by `swift test`."""
import argparse, json, os, statistics, sys, time

WORKLOADS = [("mlp", 64), ("mlp", 256), ("tiny", 8), ("lenet", 64), ("autoencoder", 100),
             ("lstm", 32), ("rbm", 100)]


def arguments(name):
    parser = argparse.ArgumentParser(description=f"{name} versions of the netlang bench workloads")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--only", default="")
    parser.add_argument("--repetitions", type=int, default=5)
    args = parser.parse_args()
    args.only = [w for w in args.only.split(",") if w] or [w for w, _ in WORKLOADS]
    return args


def set_thread_environment(threads):
    """Must run before numpy / torch / jax are imported."""
    for key in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[key] = str(threads)
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") +
                               f" --xla_cpu_multi_thread_eigen={'true' if threads > 1 else 'false'}"
                               f" intra_op_parallelism_threads={threads}")


def time_steps(step, batch, repetitions, sync=lambda: None):
    """Warm up ~0.2 s, then `repetitions` runs of ~0.25 s each; returns examples/s per run."""
    start = time.perf_counter(); warm = 0
    while warm < 3 or (time.perf_counter() - start < 0.2 and warm < 10000):
        step(); warm += 1
    sync()
    # Time a few more steps for the repetition length: the first steps include compiling.
    start = time.perf_counter()
    for _ in range(3):
        step()
    sync()
    per_step = (time.perf_counter() - start) / 3
    steps = max(3, int(0.25 / max(per_step, 1e-7)))
    rates = []
    for _ in range(repetitions):
        start = time.perf_counter()
        for _ in range(steps):
            step()
        sync()
        rates.append(steps * batch / (time.perf_counter() - start))
    return rates


def report(tool, workload, batch, threads, rates, extra=None):
    median = statistics.median(rates)
    line = {"workload": workload, "batch": batch, "threads": threads, "tool": tool,
            "examples_per_sec": round(median, 1), "examples_per_sec_min": round(min(rates), 1),
            "examples_per_sec_max": round(max(rates), 1),
            "us_per_step": round(batch / median * 1e6, 2), "peak_rss_bytes": peak_rss()}
    if workload == "lstm":
        line["chars_per_sec"] = round(median * 32, 1)
    print(json.dumps(line), flush=True)


def peak_rss():
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0
