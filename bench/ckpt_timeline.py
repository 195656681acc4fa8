#!/usr/bin/python3
"""Timeline of N checkpoints of a ~11 MB model (issue 19's goal: first open <= N x one load,
second open from the cache <= 0.2 s). Writes the checkpoints (LSTM(768) on 128 features,
Keras 2.2.4 HDF5 through tests/data/make_models.py) into WORK, then times `rnnscope summary`
of one (a load), `rnnscope timeline` without a cache, and again from the cache.

Usage: /usr/bin/python3 bench/ckpt_timeline.py RNNSCOPE WORK [N]"""
import os
import shutil
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


def best_of(cmd, env, n=3):
    times = []
    for _ in range(n):
        t = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
    return min(times)


def main():
    exe, work = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    run = os.path.join(work, "run")
    if os.path.isdir(work):
        shutil.rmtree(work)
    os.makedirs(run)
    m = model(0)
    for e in range(1, n + 1):  # the same architecture, new weights each epoch
        m["layers"][0]["weights"] = model(e)["layers"][0]["weights"]
        mm.write_h5(os.path.join(run, "weights.%03d.h5" % e), m, "k2", mm.k2_config(m), "fixed", "2.2.4")
    size = os.path.getsize(os.path.join(run, "weights.001.h5"))
    env = dict(os.environ, XDG_CACHE_HOME=os.path.join(work, "cache"))
    load = best_of([exe, "summary", os.path.join(run, "weights.001.h5")], env)
    first = best_of([exe, "timeline", run, "--no-cache", "--format", "tsv"], env, 1)
    subprocess.run([exe, "timeline", run, "--format", "tsv"], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    second = best_of([exe, "timeline", run, "--format", "tsv"], env)
    print("%d checkpoints of %.1f MB: one load (summary) %.3f s; timeline first open %.2f s "
          "(%.2f x %d loads); from the cache %.3f s" % (n, size / 1e6, load, first,
                                                        first / (n * load), n, second))
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
