"""Runs `netlang bench` and the numpy, PyTorch and JAX versions of its workloads back to back
and prints examples/s of each with netlang's ratio to the best of the others.

    python3 Tests/Benchmarks/compare.py --threads 1 [--only mlp,lstm] [--repetitions 5]
        [--rounds 3] [--markdown]

Run from the repository root after `swift build -c release`. Every tool is pinned to the first
N cores (sched_setaffinity). The tools take turns: each round runs every tool once, and each
tool's number is the best of its round medians, so a slow spell of a shared machine hits all of
them alike instead of whichever ran at the time; the order rotates from round to round. Not run by `swift test`."""
import argparse, json, os, platform, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
parser = argparse.ArgumentParser()
parser.add_argument("--threads", type=int, default=1)
parser.add_argument("--only", default="mlp,tiny,lenet,autoencoder,lstm,rbm")
parser.add_argument("--repetitions", type=int, default=5)
parser.add_argument("--rounds", type=int, default=3)
parser.add_argument("--tools", default="numpy,torch,jax")
parser.add_argument("--markdown", action="store_true")
parser.add_argument("--gemm", action="store_true", help="also W7: Gemm against numpy's sgemm")
parser.add_argument("--scaling", action="store_true",
                    help="only netlang, at 1 thread and at --threads in turns: its own gain")
args = parser.parse_args()

env = dict(os.environ)
for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
    env.pop(key, None)


def pinned(threads):
    """Each tool runs on the first `threads` cores only: JAX (and XLA's runtime threads) would
    otherwise use the second core even when asked for one thread."""
    def pin():
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:threads])
    return pin


def run(command, threads=None):
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT,
                            preexec_fn=pinned(threads or args.threads))
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
    rows = []
    for line in result.stdout.splitlines():
        if line.startswith("{"):
            rows.append(json.loads(line))
    return rows


common = ["--threads", str(args.threads), "--only", args.only, "--repetitions", str(args.repetitions)]
results = {}
tools = [t for t in args.tools.split(",") if t]
commands = {"netlang": [os.path.join(ROOT, ".build/release/netlang"), "bench", "--json"]}
for tool in tools:
    commands[tool] = [sys.executable, os.path.join(HERE, f"bench_{tool}.py")]


def better(new, old):
    """The faster of two result rows (tiny compares µs per step, the rest examples/s)."""
    if old is None:
        return new
    if new["workload"] == "tiny":
        return new if new["us_per_step"] < old["us_per_step"] else old
    return new if new["examples_per_sec"] > old["examples_per_sec"] else old


def print_table(header, lines):
    """A markdown table with --markdown, else columns padded to their widest cell."""
    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for line in lines:
            print("| " + " | ".join(line) + " |")
    else:
        widths = [max(len(h), *(len(l[i]) for l in lines)) if lines else len(h) for i, h in enumerate(header)]
        print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
        for line in lines:
            print("  ".join(c.ljust(w) for c, w in zip(line, widths)))


if args.scaling:
    # netlang alone, one thread and N threads taking turns (each pinned to its cores), so the
    # gain compares runs from the same spells of the machine, not two runs minutes apart. Two
    # numbers: the best of each side's round medians against each other, and the median of the
    # rounds' own gains (N threads over the 1-thread run next to it, the order alternating), the
    # one a slow spell that hits one side of one round moves least.
    import statistics
    best = {}
    paired = {}
    for round_index in range(args.rounds):
        order = (1, args.threads) if round_index % 2 == 0 else (args.threads, 1)
        this_round = {}
        for threads in order:
            flags = ["--threads", str(threads), "--only", args.only,
                     "--repetitions", str(args.repetitions)]
            for row in run(commands["netlang"] + flags, threads):
                key = (row["workload"], row["batch"], threads)
                best[key] = better(row, best.get(key))
                this_round[key] = row
        for (workload, batch, threads), row in this_round.items():
            wide = this_round.get((workload, batch, args.threads))
            if threads != 1 or wide is None:
                continue
            if workload == "tiny":
                gain = row["us_per_step"] / wide["us_per_step"]
            else:
                gain = wide["examples_per_sec"] / row["examples_per_sec"]
            paired.setdefault((workload, batch), []).append(gain)
    lines = []
    for (workload, batch, threads), row in best.items():
        if threads != 1:
            continue
        wide = best.get((workload, batch, args.threads))
        if wide is None:
            continue
        gains = paired.get((workload, batch), [])
        rounds = (f"{statistics.median(gains):.2f}x ({min(gains):.2f}-{max(gains):.2f})"
                  if gains else "-")
        if workload == "tiny":
            one, many = row["us_per_step"], wide["us_per_step"]
            lines.append([workload, str(batch), f"{one:.1f} us", f"{many:.1f} us", f"{one / many:.2f}x", rounds])
        else:
            one, many = row["examples_per_sec"], wide["examples_per_sec"]
            lines.append([workload, str(batch), f"{one:,.0f}", f"{many:,.0f}", f"{many / one:.2f}x", rounds])
    print_table(["workload", "batch", "1 thread", f"{args.threads} threads", "gain (best)",
                 "gain (median of rounds, range)"], lines)
    print(f"\nnetlang alone, 1 and {args.threads} threads in turns (the order alternating); best of "
          f"{args.rounds} rounds' medians of {args.repetitions}, and the median of the rounds' own gains")
    sys.exit(0)


# The order of the tools rotates from round to round, so none always runs first (right after
# the previous round's last) or last; each round's numbers go to stderr as they come.
names = list(commands)
for round_index in range(args.rounds):
    shift = round_index % len(names)
    for tool in names[shift:] + names[:shift]:
        for row in run(commands[tool] + common):
            by_tool = results.setdefault((row["workload"], row["batch"]), {})
            by_tool[tool] = better(row, by_tool.get(tool))
            value = row.get("us_per_step") if row["workload"] == "tiny" else row.get(
                "examples_per_sec", row.get("gflops"))
            print(f"round {round_index + 1} {tool} {row['workload']} {row.get('batch', row.get('shape', ''))}: {value:,.1f}",
                  file=sys.stderr)

columns = ["netlang"] + tools
header = ["workload", "batch"] + columns + ["ratio vs best"]
lines = []
for (workload, batch), by_tool in results.items():
    rates = {t: by_tool[t]["examples_per_sec"] for t in columns if t in by_tool}
    others = [rates[t] for t in tools if t in rates]
    ratio = rates.get("netlang", 0) / max(others) if others else float("nan")
    if workload == "tiny":
        cells = [f"{by_tool[t]['us_per_step']:.1f} us" if t in by_tool else "-" for t in columns]
        best = min(by_tool[t]["us_per_step"] for t in tools if t in by_tool) if others else float("nan")
        ratio = best / by_tool["netlang"]["us_per_step"] if "netlang" in by_tool else float("nan")
    else:
        cells = [f"{rates[t]:,.0f}" if t in rates else "-" for t in columns]
    lines.append([workload, str(batch)] + cells + [f"{ratio:.2f}x"])


print_table(header, lines)
print(f"\nthreads {args.threads}; examples/s (best of {args.rounds} rounds' medians of "
      f"{args.repetitions}), tiny in us/step; "
      f"ratio = netlang / best other (tiny: best other us / netlang us); "
      f"{platform.processor() or platform.machine()}, python {platform.python_version()}")

if args.gemm:
    reps = ["--threads", str(args.threads), "--repetitions", str(args.repetitions)]
    ours, theirs = {}, {}
    sides = [(ours, commands["netlang"] + ["--only", "gemm"] + reps),
             (theirs, [sys.executable, os.path.join(HERE, "bench_gemm_numpy.py")] + reps)]
    for round_index in range(args.rounds):
        for best, command in (sides if round_index % 2 == 0 else sides[::-1]):
            for r in run(command):
                best[r["shape"]] = max(best.get(r["shape"], 0), r["gflops"])
    rows = [[shape, f"{ours[shape]:.1f}", f"{theirs.get(shape, float('nan')):.1f}",
             f"{ours[shape] / theirs[shape]:.2f}x" if theirs.get(shape) else "-"] for shape in ours]
    header = ["gemm shape", "netlang GFLOP/s", "numpy GFLOP/s", "ratio"]
    print()
    print_table(header, rows)
