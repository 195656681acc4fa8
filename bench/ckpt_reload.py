#!/usr/bin/python3
"""Reload of a changed 50 MB checkpoint under --watch, with the view on screen redrawn (issue 19's
goal: <= 2 x (the time of `rnnscope summary` on that file + one forward pass of the layers on
screen)).

Writes two checkpoints of a 50 MB model (LSTM(1536) on 512 features, 16 steps, Keras 2.2.4 HDF5
through tests/data/make_models.py) and an input into WORK, then times:
- one load: `rnnscope summary` of the file (median of 5 runs);
- one forward pass of the layers on screen (the explorer opens on the LSTM, the only layer):
  bench/forward on the same input (median of 5, rnnscope's default thread count);
- the reload: the explorer runs under tmux (130 x 30) with `--watch FILE --input X`; the file is
  rewritten in place with the other checkpoint's bytes (one write, as h5py's last flush), and
  the pane is read every few ms until the output's mean on the status line is the new one. From
  the end of the rewrite to that screen, REPS times (median), minus the watcher's settle wait
  (RS_WATCH_SETTLE_MS, 0.5 s after the file's last modification: a checkpoint being written is
  never read, see src/ckpt/watch.c).
Reading the pane costs a tmux client (a few ms): the times are late by up to one read.

Usage: /usr/bin/python3 bench/ckpt_reload.py RNNSCOPE WORK [REPS]
(RNNSCOPE in a build directory where `make bench/forward` was run.)"""
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "data"))
import make_models as mm  # noqa: E402

SETTLE_S = 0.5  # RS_WATCH_SETTLE_MS
UNITS, FEATURES, STEPS = 1536, 512, 16


def write_model(path, seed):
    rng = np.random.default_rng(seed)
    m = {"name": "big", "class": "Sequential", "input": ("input_a", [None, STEPS, FEATURES]),
         "layers": [mm.layer("lstm_a", "LSTM", {"units": UNITS, "return_sequences": True,
                                                "activation": "tanh",
                                                "recurrent_activation": "sigmoid",
                                                "use_bias": True},
                             mm.rnn_weights(rng, "LSTM", FEATURES, UNITS, 4))]}
    mm.write_h5(path, m, "k2", mm.k2_config(m), "fixed", "2.2.4")


def median_of(cmd, n=5):
    times = []
    for _ in range(n):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


class Pane:
    def __init__(self, sock):
        self.sock = sock

    def tmux(self, *args, **kw):
        return subprocess.run(["tmux", "-L", self.sock, "-f", "/dev/null"] + list(args),
                              check=True, stdout=subprocess.PIPE, text=True, **kw).stdout

    def text(self):
        return self.tmux("capture-pane", "-p", "-t", "rs")

    def mean(self):
        m = re.search(r" mean (-?[0-9.e+-]+) ", self.text())
        return m.group(1) if m else None


def reload_times(exe, model, x, reps, contents):
    pane = Pane("rs-reload-%d" % os.getpid())
    cmd = ("env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color '%s' --watch '%s' --input '%s'"
           % (exe, model, x))
    pane.tmux("new-session", "-d", "-s", "rs", "-x", "130", "-y", "30", cmd)
    try:
        deadline = time.time() + 60
        while time.time() < deadline and not (pane.mean() and "s ago" in pane.text()):
            time.sleep(0.05)
        shown = pane.mean()
        if not shown:
            raise SystemExit("the explorer did not show the model:\n" + pane.text())
        times = []
        for r in range(reps):
            time.sleep(1.5)  # the screen at rest
            data = contents[(r + 1) % 2]
            with open(model, "r+b") as f:  # in place, as Keras' h5py writes
                f.write(data)
                f.truncate()
            end = time.perf_counter()
            while True:
                now = pane.mean()
                if now and now != shown:
                    times.append(time.perf_counter() - end)
                    shown = now
                    break
                if time.perf_counter() - end > 60:
                    raise SystemExit("no reload within 60 s:\n" + pane.text())
                time.sleep(0.003)
        return times
    finally:
        subprocess.run(["tmux", "-L", pane.sock, "-f", "/dev/null", "kill-server"],
                       stderr=subprocess.DEVNULL)


def main():
    exe, work = os.path.abspath(sys.argv[1]), sys.argv[2]
    reps = int(sys.argv[3]) if len(sys.argv) > 3 else 7
    forward = os.path.join(os.path.dirname(exe), "bench", "forward")
    if os.path.isdir(work):
        shutil.rmtree(work)
    os.makedirs(work)
    a, b, model = (os.path.join(work, n) for n in ("a.h5", "b.h5", "model.h5"))
    write_model(a, 1)
    write_model(b, 2)
    shutil.copy(a, model)
    x = os.path.join(work, "x.npy")
    np.save(x, np.random.default_rng(0).uniform(-1, 1, (1, STEPS, FEATURES)).astype(np.float32))
    contents = [open(a, "rb").read(), open(b, "rb").read()]
    load = median_of([exe, "summary", a])
    out = subprocess.run([forward, a, x, "0", "5"], check=True, stdout=subprocess.PIPE,
                         text=True).stdout.split()
    fwd = statistics.median(float(t) for t in out)
    times = reload_times(exe, model, x, reps, contents)
    med = statistics.median(times)
    goal = 2 * (load + fwd)
    print("50 MB checkpoint (%.1f MB): summary %.3f s, forward %.3f s: goal <= %.3f s; reload "
          "%s s, median %.3f s, minus the %.1f s settle wait %.3f s (%.2f x the goal); load "
          "average %s" % (os.path.getsize(a) / 1e6, load, fwd, goal,
                          " ".join("%.3f" % t for t in times), med, SETTLE_S, med - SETTLE_S,
                          (med - SETTLE_S) / goal, " ".join(open("/proc/loadavg").read().split()[:3])))
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
