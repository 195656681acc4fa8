#!/usr/bin/python3
"""Timeline of N checkpoints of a ~11 MB model (issue 19's goal: first open <= N x one load,
second open from the cache <= 0.2 s). Writes the checkpoints (LSTM(768) on 128 features,
Keras 2.2.4 HDF5 through tests/data/make_models.py) into WORK, then times `rnnscope summary`
of one (a load: median of 5), bench/ckpt_load on it (the library's load alone, in one process:
median of 20), `rnnscope timeline --no-cache` (median of REPS) and `timeline` from the cache
(median of 5). The load average is printed with the numbers (2 shared cores: the first open
is parallel over them).

Usage: /usr/bin/python3 bench/ckpt_timeline.py RNNSCOPE WORK [N [REPS]]
(RNNSCOPE in a build directory where `make bench/ckpt_load` was run; WORK is kept when it
already holds the N checkpoints, so that several builds can be timed on the same files.)"""
import os
import shutil
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "data"))
import make_models as mm  # noqa: E402


def model(epoch):
    rng = np.random.default_rng(epoch)
    return {"name": "big", "class": "Sequential", "input": ("input_a", [None, 16, 128]),
            "layers": [mm.layer("lstm_a", "LSTM", {"units": 768, "return_sequences": True,
                                                   "activation": "tanh",
                                                   "recurrent_activation": "sigmoid",
                                                   "use_bias": True},
                                mm.rnn_weights(rng, "LSTM", 128, 768, 4))]}


def median_of(cmd, env, n=3):
    times = []
    for _ in range(n):
        t = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
    return statistics.median(times), times


def write_run(run, n):
    if os.path.isdir(run) and len(os.listdir(run)) == n:
        return
    if os.path.isdir(run):
        shutil.rmtree(run)
    os.makedirs(run)
    m = model(0)
    for e in range(1, n + 1):  # the same architecture, new weights each epoch
        m["layers"][0]["weights"] = model(e)["layers"][0]["weights"]
        mm.write_h5(os.path.join(run, "weights.%03d.h5" % e), m, "k2", mm.k2_config(m), "fixed", "2.2.4")


def main():
    exe, work = os.path.abspath(sys.argv[1]), sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    reps = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    run = os.path.join(work, "run")
    write_run(run, n)
    one = os.path.join(run, "weights.001.h5")
    size = os.path.getsize(one)
    env = dict(os.environ, XDG_CACHE_HOME=os.path.join(work, "cache"))
    load, _ = median_of([exe, "summary", one], env, 5)
    bench_load = os.path.join(os.path.dirname(exe), "bench", "ckpt_load")
    lib = float("nan")
    if os.path.exists(bench_load):
        lib = statistics.median(float(t) for t in subprocess.run(
            [bench_load, one, "20"], check=True, stdout=subprocess.PIPE, text=True).stdout.split())
    first, firsts = median_of([exe, "timeline", run, "--no-cache", "--format", "tsv"], env, reps)
    subprocess.run([exe, "timeline", run, "--format", "tsv"], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    second, _ = median_of([exe, "timeline", run, "--format", "tsv"], env, 5)
    print("%d checkpoints of %.1f MB: one load: summary %.3f s, library %.4f s; timeline first "
          "open %.2f s (runs %s; %.2f x %d summaries, %.2f x %d library loads); from the cache "
          "%.3f s; load average %s" % (n, size / 1e6, load, lib, first,
                                       " ".join("%.2f" % t for t in firsts), first / (n * load),
                                       n, first / (n * lib), n, second,
                                       " ".join(open("/proc/loadavg").read().split()[:3])))


if __name__ == "__main__":
    main()
