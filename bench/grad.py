#!/usr/bin/python3
"""The reverse pass against PyTorch's backward() (issue 17), on bench/make_models.py's cases:

    /usr/bin/python3 bench/grad.py CASES_DIR [THREADS] [--only REGEX]

Per case, the median of 5 repetitions (each after a warm-up, as bench/forward does) of
  ours   bench/forward --grad: forward + reverse pass, d/d input and every weight, of the sum of
         the output's unit 0; and bench/forward: the forward pass alone
  torch  the same objective's forward + loss.backward() (inputs and weights requiring grad),
         and forward alone (no_grad), on the same weights (bench/peer.py's models)
SeqSelfAttention has no PyTorch peer (bench/peer.py runs it in NumPy): the seed and attention
cases show ours only."""
import json
import os
import re
import statistics
import subprocess
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import peer  # noqa: E402

REPS = 5


def ours(case, threads, grad):
    exe = os.path.join(os.getcwd(), 'bench', 'forward')
    args = [exe] + (['--grad'] if grad else []) + [case['model'], case['input'], str(threads), str(REPS)]
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout.split()
    return statistics.median(float(t) for t in out)


def timed(fn):
    warm = time.perf_counter()
    while time.perf_counter() - warm < peer.WARM_SECONDS:
        fn()
    times = []
    for _ in range(REPS):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def torch_times(case):
    if case['kind'] not in ('rnn', 'bilstm'):
        return None, None
    fn, _ = peer.build(case)
    x = torch.from_numpy(np.load(case['input']))

    def forward():
        with torch.no_grad():
            fn(x)

    def backward():
        xg = x.clone().requires_grad_(True)
        fn(xg)[..., 0].sum().backward()
    return timed(forward), timed(backward)


def main():
    root = sys.argv[1]
    threads = int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2].isdigit() else 1
    only = sys.argv[sys.argv.index('--only') + 1] if '--only' in sys.argv else ''
    torch.set_num_threads(threads)
    cases = json.load(open(os.path.join(root, 'cases.json')))['cases']
    print('| case | ours fwd | ours fwd+bwd | bwd/fwd | torch fwd | torch fwd+bwd | torch/ours |')
    print('| --- | --- | --- | --- | --- | --- | --- |')
    for case in cases:
        if only and not re.search(only, case['name']):
            continue
        for k in ('model', 'input'):
            case[k] = os.path.join(root, case[k]) if not os.path.isabs(case[k]) else case[k]
        f, fb = ours(case, threads, False), ours(case, threads, True)
        tf_, tfb = torch_times(case)
        ms = lambda v: '%.2f ms' % (1e3 * v) if v is not None else '–'  # noqa: E731
        ratio = '%.1fx' % (tfb / fb) if tfb else '–'
        print('| %s | %s | %s | %.2f | %s | %s | %s |' % (case['name'], ms(f), ms(fb), (fb - f) / f,
                                                          ms(tf_), ms(tfb), ratio), flush=True)


if __name__ == '__main__':
    main()
