#!/usr/bin/python3
"""The first gradient screen of issue 18 on the demo, ours beside PyTorch autograd:

    /usr/bin/python3 bench/grad_screen.py [REPS]     (from the build directory)

ours   bench/grad_screen on share/rnnscope/demo/demo.h5, layer lstm_1, the shipped batch of 8
       and its sample 3 alone (a burst sample's gradient is exactly 0: saturated sigmoid): d sum(output[..., 0]) / d lstm_1's output and its timestep
       importance (L2 norm over channels per step), with the forward pass already held (the
       explorer's case) and on a fresh run; the input's saliency strip; integrated gradients
torch  the same model (bench/peer.py's LSTM, SeqSelfAttention written here in torch ops, Dense,
       sigmoid) on the same weights: forward + backward() with the LSTM output's gradient
       retained + its norm per step (autograd needs its own forward: compare with cold_layer)
Both sides use torch's thread count (ours through RNNSCOPE_THREADS); medians of REPS after a warm-up. The importance of the
two sides is compared (max relative difference printed)."""
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import peer  # noqa: E402

DEMO = os.path.join(HERE, '..', 'share', 'rnnscope', 'demo')


def torch_attention(x, wt, wx, bh, wa, ba):
    """keras-self-attention's additive SeqSelfAttention (as peer.seq_self_attention), in torch."""
    q, k = x @ wt, x @ wx + bh
    e = (torch.tanh(q[:, :, None, :] + k[:, None, :, :]) @ wa)[..., 0] + ba[0]
    a = torch.softmax(e, dim=-1)
    return a @ x, a


def torch_model(path):
    ws = peer.layer_weights(path)
    rnn = peer.torch_rnn([{'cell': 'LSTM', 'in': 4, 'units': 60, 'dirs': 1}], [ws['lstm_1']])
    att = [torch.from_numpy(w) for w in peer.attention_weights(path, 'seq_self_attention_1')]
    dk, db = (torch.from_numpy(w) for w in ws['dense_1'])

    def screen(x):
        h = rnn(x)[0]
        h.retain_grad()
        v, a = torch_attention(h, *att)
        z = torch.cat([v, a], dim=-1).reshape(h.shape[0], -1) @ dk + db
        torch.sigmoid(z)[..., 0].sum().backward()
        return h.grad.norm(dim=2)
    return screen


def timed(fn, reps):
    warm = time.perf_counter()
    while time.perf_counter() - warm < peer.WARM_SECONDS:
        fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), min(times)


def cpu_model():
    info = {}
    for line in open('/proc/cpuinfo'):
        key, _, value = line.partition(':')
        info.setdefault(key.strip(), value.strip())
    return '%s (family %s, model %s%s)' % (
        info.get('model name', platform.processor()), info.get('cpu family', '?'),
        info.get('model', '?'), ', AVX-512' if 'avx512f' in info.get('flags', '').split() else '')


def main():
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 11
    model = os.path.join(DEMO, 'demo.h5')
    batch = np.load(os.path.join(DEMO, 'demo.inputs.npy'))
    screen = torch_model(model)
    print('CPU: %s, %d CPUs, load average %.2f; torch %s (%d threads)' % (
        cpu_model(), os.cpu_count(), os.getloadavg()[0], torch.__version__, torch.get_num_threads()))
    print('| batch | ours warm (fwd held) | ours cold (fwd+bwd) | ours input strip | ours IG 32 '
          '| torch fwd+bwd | torch / ours cold | importance max rel diff |')
    print('| --- | --- | --- | --- | --- | --- | --- | --- |')
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, RNNSCOPE_THREADS=str(torch.get_num_threads()))
        for n, xs in ((1, batch[3:4]), (8, batch)):
            inp, imp = os.path.join(tmp, 'x%d.npy' % n), os.path.join(tmp, 'imp%d.npy' % n)
            np.save(inp, xs)
            out = subprocess.run([os.path.join('bench', 'grad_screen'), model, inp, 'lstm_1',
                                  str(reps), imp], check=True, capture_output=True, text=True,
                                 env=env)
            ours = {l.split()[0]: float(l.split()[1]) for l in out.stdout.splitlines()}
            x = torch.from_numpy(xs)
            theirs = screen(x).detach().numpy()
            mine = np.load(imp)
            diff = np.abs(mine - theirs).max() / max(np.abs(theirs).max(), 1e-30)
            t_med, _ = timed(lambda: screen(x), reps)
            ms = lambda s: '%.1f ms' % (1e3 * s)
            print('| %d | %s | %s | %s | %s | %s | %.1fx | %.1e |' % (
                n, ms(ours['warm_layer']), ms(ours['cold_layer']), ms(ours['warm_input']),
                ms(ours['warm_ig32']), ms(t_med), t_med / ours['cold_layer'], diff))


if __name__ == '__main__':
    main()
