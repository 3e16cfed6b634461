#!/usr/bin/env python3
"""PyTorch's CPU dropout on the shapes, dtypes and thread counts of Dropkit's benchmarks: a peer row for the report.

Usage: python3 benchmarks/torch_dropout.py OUT.json [--repeats N]

Measures, per shape (64x160, 1024x10000), dtype (float32, float64) and thread count (1, and the default of
OMP_NUM_THREADS or one per core, as ND4J uses), with p = 0.8 retained (drop rate 0.2):
  torch_dropout          torch.nn.functional.dropout(x, 0.2, training=True)     (Bernoulli, inverted scaling)
  torch_gaussian_normal  x * torch.empty_like(x).normal_(1, sigma), sigma = sqrt(0.2 / 0.8)
for the forward pass, and forward + backward through autograd (y.backward(dy)). Each case: warmup calls, then the
median of timed calls. Without a Python that has torch, writes {"available": false, "note": ...} and exits 0, so
that benchmarks/run goes on; the report then says why there is no PyTorch row.
"""
import json
import os
import statistics
import sys
import time

SHAPES = [(64, 160), (1024, 10000)]
RETAIN = 0.8


def skipped(out, note):
    with open(out, "w") as f:
        json.dump({"available": False, "note": note}, f, indent=2)
    print("# torch: skipped: " + note)


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    out = sys.argv[1]
    repeats = int(sys.argv[sys.argv.index("--repeats") + 1]) if "--repeats" in sys.argv else 15
    try:
        import torch
    except ImportError as e:
        skipped(out, "no PyTorch in this Python (Python %s: %s); install torch to get the peer row"
                % (sys.version.split()[0], e))
        return
    default_threads = os.environ.get("OMP_NUM_THREADS") or "default"
    settings = [("1", 1)]
    if default_threads != "1":
        settings.append((default_threads, int(default_threads) if default_threads != "default"
                         else os.cpu_count()))
    sigma = ((1 - RETAIN) / RETAIN) ** 0.5
    ops = {
        "torch_dropout": lambda x: torch.nn.functional.dropout(x, 1 - RETAIN, training=True),
        "torch_gaussian_normal": lambda x: x * torch.empty_like(x).normal_(1.0, sigma),
    }
    cases = []
    for label, threads in settings:
        torch.set_num_threads(threads)
        for dtype_name, dtype in (("FLOAT", torch.float32), ("DOUBLE", torch.float64)):
            for shape in SHAPES:
                n = shape[0] * shape[1]
                calls = max(2, min(500, 20_000_000 // n))
                x = (torch.rand(shape, dtype=dtype) * 2 - 1)
                dy = torch.rand(shape, dtype=dtype)
                for impl, f in ops.items():
                    for op in ("forward", "forwardBackward"):
                        def once():
                            if op == "forward":
                                with torch.no_grad():
                                    return f(x)
                            xg = x.detach().requires_grad_(True)
                            y = f(xg)
                            y.backward(dy)
                            return xg.grad
                        for _ in range(3):
                            for _ in range(calls):
                                once()
                        times = []
                        for _ in range(repeats):
                            start = time.perf_counter()
                            for _ in range(calls):
                                once()
                            times.append((time.perf_counter() - start) / calls * 1e6)
                        median = statistics.median(times)
                        cases.append({"op": op, "shape": "%dx%d" % shape, "dtype": dtype_name, "ompThreads": label,
                                      "threads": threads, "impl": impl, "medianUs": median,
                                      "usByRepeat": times})
                        print("# torch %s %s %s %s threads=%s: %.1f us" % (impl, op, "%dx%d" % shape, dtype_name,
                                                                             label, median))
    with open(out, "w") as f:
        json.dump({"available": True, "torchVersion": torch.__version__, "repeats": repeats, "cases": cases}, f,
                  indent=2)


if __name__ == "__main__":
    main()
