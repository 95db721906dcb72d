"""Runs `netlang bench` and the numpy, PyTorch and JAX versions of its workloads back to back
and prints examples/s of each with netlang's ratio to the best of the others.

    python3 Tests/Benchmarks/compare.py --threads 1 [--only mlp,lstm] [--repetitions 5]
        [--rounds 3] [--markdown]

Run from the repository root after `swift build -c release`. Every tool is pinned to the first
N cores (sched_setaffinity). The tools take turns: each round runs every tool once on each
workload, the tools one after the other on a workload before the next one (`--turns round`: one
run of each tool over all workloads per round), and each tool's numbers are the median and the
best of its round medians, so a slow spell of a shared machine hits all of them alike instead
of whichever ran at the time; the order rotates from round to round. netlang's ratio to the
best other tool in each round goes to stderr at the end. Two tables: by the median of the
rounds (what a tool does most of the time) and by the best round (what it does at its best
moment: on a shared VM whose speed comes in bursts, one lucky round decides it). Each table
ends with the share of the pinned cores' time the hypervisor gave to other guests while it ran
(steal, from /proc/stat): how quiet the machine was. Not run by `swift test`."""
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
parser.add_argument("--turns", choices=["workload", "round"], default="workload",
                    help="take turns workload by workload (default: the tools' runs of one "
                         "workload seconds apart) or once per round (every workload in one run "
                         "of each tool, as before 2026-11-29 10:11)")
parser.add_argument("--scaling", action="store_true",
                    help="only netlang, at 1 thread and at --threads in turns (bench --scaling)")
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


def cpu_times():
    """{cpu: (jiffies, stolen jiffies)} from /proc/stat (empty where there is none)."""
    times = {}
    try:
        with open("/proc/stat") as stat:
            for line in stat:
                name, *fields = line.split()
                if name.startswith("cpu") and name[3:].isdigit():
                    # user nice system idle iowait irq softirq steal (guest is inside user)
                    values = [int(v) for v in fields[:8]]
                    times[int(name[3:])] = (sum(values), values[7] if len(values) > 7 else 0)
    except OSError:
        pass
    return times


def steal_since(before):
    """Percent of the pinned cores' time since `before` that the hypervisor gave to other
    guests (steal): how far from quiet the machine was."""
    after = cpu_times()
    cores = [c for c in sorted(os.sched_getaffinity(0))[:args.threads] if c in before and c in after]
    total = sum(after[c][0] - before[c][0] for c in cores)
    stolen = sum(after[c][1] - before[c][1] for c in cores)
    return 100 * stolen / total if total else float("nan")


start_times = cpu_times()


def steal_note(since=None):
    return f"steal {steal_since(since or start_times):.1f}% of the pinned cores' time during the run"


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


results = {}
tools = [t for t in args.tools.split(",") if t]
commands = {"netlang": [os.path.join(ROOT, ".build/release/netlang"), "bench", "--json"]}
for tool in tools:
    commands[tool] = [sys.executable, os.path.join(HERE, f"bench_{tool}.py")]


def speed(row):
    """Higher is faster: examples/s, or steps/µs for tiny."""
    return 1 / row["us_per_step"] if row["workload"] == "tiny" else row["examples_per_sec"]


def better(new, old):
    """The faster of two result rows (tiny compares µs per step, the rest examples/s)."""
    return new if old is None or speed(new) > speed(old) else old


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
    # netlang alone: `netlang bench --scaling` runs each workload at 1 thread and at N in one
    # process, taking turns repetition by repetition, so both sides of a gain come from the same
    # moments of the machine. Each round is one such process; the table gives the median of the
    # rounds' gains (each the median of its repetitions' own gains) with their range, and the
    # best repetition of each side over all rounds against each other.
    import statistics
    rounds = {}
    for round_index in range(args.rounds):
        flags = ["--scaling", "--threads", str(args.threads), "--only", args.only,
                 "--repetitions", str(args.repetitions)]
        round_start = cpu_times()
        for row in run(commands["netlang"] + flags):
            rounds.setdefault((row["workload"], row["batch"]), []).append(row)
            print(f"round {round_index + 1} {row['workload']} {row['batch']}: gain {row['gain']:.2f} "
                  f"(best {row['gain_of_best']:.2f})", file=sys.stderr)
        print(f"round {round_index + 1}: steal {steal_since(round_start):.1f}%", file=sys.stderr)
    lines = []
    for (workload, batch), rows in rounds.items():
        gains = [r["gain"] for r in rows]
        one = max(r["examples_per_sec_1_thread_best"] for r in rows)
        many = max(r["examples_per_sec_best"] for r in rows)
        median_one = statistics.median(r["examples_per_sec_1_thread"] for r in rows)
        median_many = statistics.median(r["examples_per_sec"] for r in rows)
        lines.append([workload, str(batch), f"{median_one:,.0f}", f"{median_many:,.0f}",
                      f"{statistics.median(gains):.2f}x ({min(gains):.2f}-{max(gains):.2f})",
                      f"{one:,.0f}", f"{many:,.0f}", f"{many / one:.2f}x"])
    print_table(["workload", "batch", "1 thread (median)", f"{args.threads} threads (median)",
                 "gain (median of rounds, range)", "1 thread (best)", f"{args.threads} threads (best)",
                 "gain (best)"], lines)
    print(f"\nnetlang alone, 1 and {args.threads} threads taking turns in one process "
          f"(`netlang bench --scaling`); {args.rounds} rounds of {args.repetitions} repetitions "
          f"each; examples/s; {steal_note()}")
    sys.exit(0)


# The order of the tools rotates from round to round, so none always runs first (right after
# the previous round's last) or last; each round's numbers go to stderr as they come. With
# `--turns workload` (the default) each tool runs one workload at a time, the tools one after
# the other on it before the next workload: the runs compared with each other are seconds
# apart, not a whole round (about a minute), on a VM whose speed drifts over tens of seconds.
# Each run then starts its tool anew (JAX and PyTorch take a few seconds to import): slower,
# not unfair, since the timing starts after each tool's own warm-up.
names = list(commands)
groups = [[w for w in args.only.split(",") if w]] if args.turns == "round" else [
    [w] for w in args.only.split(",") if w]
for round_index in range(args.rounds):
    shift = round_index % len(names)
    round_start = cpu_times()
    for group, tool in ((g, t) for g in groups for t in names[shift:] + names[:shift]):
        flags = ["--threads", str(args.threads), "--only", ",".join(group),
                 "--repetitions", str(args.repetitions)]
        for row in run(commands[tool] + flags):
            by_tool = results.setdefault((row["workload"], row["batch"]), {})
            by_tool.setdefault(tool, []).append(row)
            value = row.get("us_per_step") if row["workload"] == "tiny" else row.get(
                "examples_per_sec", row.get("gflops"))
            print(f"round {round_index + 1} {tool} {row['workload']} {row.get('batch', row.get('shape', ''))}: {value:,.1f}",
                  file=sys.stderr)
    print(f"round {round_index + 1}: steal {steal_since(round_start):.1f}%", file=sys.stderr)

# Round by round: netlang against the best of the others in the same round.
for (workload, batch), by_tool in results.items():
    ratios = []
    for index, ours in enumerate(by_tool.get("netlang", [])):
        others = [speed(rows[index]) for tool, rows in by_tool.items()
                  if tool != "netlang" and index < len(rows)]
        if others:
            ratios.append(f"{speed(ours) / max(others):.2f}")
    print(f"{workload} {batch} round by round: {', '.join(ratios)}", file=sys.stderr)


def median_row(rows):
    """The round in the middle (the faster of the two middle ones for an even count)."""
    ordered = sorted(rows, key=speed)
    return ordered[len(ordered) // 2]


def best_row(rows):
    best = None
    for row in rows:
        best = better(row, best)
    return best


columns = ["netlang"] + tools
header = ["workload", "batch"] + columns + ["ratio vs best"]
for title, pick in (("median", median_row), ("best", best_row)):
    lines = []
    for (workload, batch), rounds in results.items():
        by_tool = {t: pick(rows) for t, rows in rounds.items()}
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
    print(f"\nthreads {args.threads}; examples/s ({title} of {args.rounds} rounds' medians of "
          f"{args.repetitions}), tiny in us/step; "
          f"ratio = netlang / best other (tiny: best other us / netlang us); "
          f"{platform.processor() or platform.machine()}, python {platform.python_version()}; "
          f"{steal_note()}\n")

if args.gemm:
    gemm_start = cpu_times()
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
    print(f"\nGEMM: best of {args.rounds} rounds; {steal_note(gemm_start)}")
