#!/usr/bin/python3
"""The forward-pass benchmark of issue 10 (make bench): rnnscope against PyTorch on the same
models, alternating, with the machine's limits. See bench/README.md for what each number means.

    run.py --srcdir DIR --builddir DIR --work DIR --out RESULTS.md [--quick]
    (QUICK=1 in the environment is the same as --quick)

Needs the programs `make bench` builds: rnnscope, bench/forward, bench/triad, bench/sgemm_bound.
"""
import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time

import numpy as np

TRIAD_DRAM_MIB = 128   # per array: 3 x 128 MiB, far beyond the last-level cache
TRIAD_CACHE_MIB = 4    # per array: 3 x 4 MiB, fits the last-level cache
OURS_TIMEOUT = 900     # seconds for one forward pass before the case counts as failed
TOLERANCE = 1e-4       # flag |ours - peer| > TOLERANCE * max(1, |peer|)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def gates(cell):
    return 4 if cell == 'LSTM' else 3


# OPENBLAS_CORETYPE when Debian's OpenBLAS would run a fallback core on this CPU (openblas_core)
BLAS_ENV = {}


def thread_env(n):
    """The same thread limits for both sides (OpenMP and OpenBLAS pools, if either uses them);
    n = 0: nothing set, rnnscope's default count (our side only)."""
    env = dict(os.environ)
    env.update(BLAS_ENV)
    if n == 0:
        env.pop('RNNSCOPE_THREADS', None)
        return env
    for var in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
        env[var] = str(n)
    env['RNNSCOPE_THREADS'] = str(n)
    # libgomp's threads spin after each parallel region; on a machine with few cores they fight
    # OpenBLAS' own threads and Debian's PyTorch (OpenMP + OpenBLAS) runs up to 10x slower with
    # 2 threads than with 1. Passive waiting gives it its best times; an explicit setting wins.
    env.setdefault('OMP_WAIT_POLICY', 'PASSIVE')
    return env


# -------------------------------------------------------------------- machine ---

def read(path, default=''):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return default


def first_line(cmd, env=None):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, env=env).stdout.splitlines()[0]
    except (OSError, IndexError):
        return '?'


def l3_bytes():
    """Size of the last-level cache seen by CPU 0 (sysfs), 32 MiB if unknown."""
    base = '/sys/devices/system/cpu/cpu0/cache'
    best = 0
    for idx in sorted(os.listdir(base)) if os.path.isdir(base) else []:
        size = read(os.path.join(base, idx, 'size')).strip()
        m = re.match(r'(\d+)([KMG]?)', size)
        if m:
            best = max(best, int(m.group(1)) * {'': 1, 'K': 1 << 10, 'M': 1 << 20, 'G': 1 << 30}[m.group(2)])
    return best or 32 << 20


def source_commit(srcdir):
    """The commit measured (at the start: the tree may change during a long run)."""
    commit = first_line(['git', '-C', srcdir, 'log', '-1', '--format=%h %s'])
    dirty = subprocess.run(['git', '-C', srcdir, 'status', '--porcelain', '--untracked-files=no'],
                           capture_output=True, text=True).stdout.strip()
    return commit + (' (with uncommitted changes)' if dirty and commit != '?' else '')


def cpu_model():
    info = read('/proc/cpuinfo')
    fam, mod = re.search(r'cpu family\s*:\s*(\d+)', info), re.search(r'^model\s*:\s*(\d+)', info, re.M)
    isa = {3: 'AVX-512', 2: 'AVX2', 1: 'AVX', 0: 'no AVX'}[cpu_isa(cpu_flags())]
    return 'family %s, model %s; %s' % (fam.group(1) if fam else '?', mod.group(1) if mod else '?', isa)


def cpu_times():
    """{pid: (command, clock ticks of CPU used)} of every process we may read."""
    out = {}
    for pid in os.listdir('/proc'):
        if not pid.isdigit():
            continue
        stat = read('/proc/%s/stat' % pid)
        if ')' not in stat:
            continue
        comm = stat[stat.index('(') + 1:stat.rindex(')')]
        fields = stat[stat.rindex(')') + 2:].split()
        try:
            out[int(pid)] = (comm, int(fields[11]) + int(fields[12]))  # utime + stime
        except (IndexError, ValueError):
            continue
    return out


def busy_processes(seconds=1.0):
    """Other processes that used over 5 % of a CPU during `seconds`: "name 99%" strings. Whatever
    runs beside the benchmark takes cores from both sides (and nice does not hold it back against
    another session's processes while the kernel groups them by session: sched_autogroup)."""
    before = cpu_times()
    time.sleep(seconds)
    after = cpu_times()
    hz = os.sysconf('SC_CLK_TCK')
    busy = []
    for pid, (comm, ticks) in after.items():
        if pid != os.getpid() and pid in before:
            share = (ticks - before[pid][1]) / hz / seconds
            if share > 0.05:
                busy.append((share, '%s %d%%' % (comm, round(100 * share))))
    return [b for _, b in sorted(busy, reverse=True)]


def machine(builddir, peer_hello, openblas, kernels, loadavg, busy, commit):
    cpu = re.search(r'model name\s*:\s*(.*)', read('/proc/cpuinfo'))
    caches = [l.strip() for l in subprocess.run(['lscpu'], capture_output=True, text=True).stdout.splitlines()
              if re.match(r'\s*L[123]\w* cache', l)] if os.path.exists('/usr/bin/lscpu') else []
    mem = re.search(r'MemTotal:\s*(\d+)', read('/proc/meminfo'))
    cflags = re.search(r'^CFLAGS = (.*)$', read(os.path.join(builddir, 'Makefile')), re.M)
    cc = re.search(r'^CC = (.*)$', read(os.path.join(builddir, 'Makefile')), re.M)
    return [
        ('CPU', cpu.group(1) if cpu else platform.processor()),
        ('cores', '%d online (%d usable by this process)' % (os.cpu_count(), len(os.sched_getaffinity(0)))),
        ('caches', '; '.join(re.sub(r'\s+', ' ', c) for c in caches) or '?'),
        ('RAM', '%.1f GiB' % (int(mem.group(1)) / 1048576) if mem else '?'),
        ('kernel', platform.release()),
        ('compiler', '%s (%s), CFLAGS %s' % (first_line([cc.group(1).split()[0], '--version']) if cc else '?',
                                            cc.group(1) if cc else '?', cflags.group(1) if cflags else '?')),
        ('CPU family, model', cpu_model()),
        ('PyTorch', '%s (NumPy %s)' % (peer_hello['torch'], peer_hello['numpy'])),
        ('OpenBLAS (bench/sgemm_bound)', openblas),
        ('kernels: peer', 'the BLAS PyTorch and NumPy loaded: %s' % (peer_hello.get('blas') or 'not OpenBLAS')),
        ('kernels: ours', kernels),
        ('load average (1, 5, 15 min) at start', ' '.join(loadavg.split()[:3])),
        ('other processes using the CPU at start', ', '.join(busy) or 'none'),
        ('rnnscope commit', commit),
    ]


# -------------------------------------------------------------- OpenBLAS core ---
# Debian's OpenBLAS (DYNAMIC_ARCH) picks its kernels by CPU model; a model newer than the library
# gets a fallback core (0.3.21 runs SSE3 "Prescott" kernels on a Xeon of family 6, model 207:
# 37 GFLOP/s at 2 threads where its SapphireRapids core does 186). The peer and the sgemm bound
# then measure a crippled library. OPENBLAS_CORETYPE overrides the choice.

# The widest vector instructions of a core's kernels: 3 AVX-512, 2 AVX2, 1 AVX, 0 less (by the
# lower-case name: the config string spells some differently, "Cooperlake").
CORE_ISA = {'sapphirerapids': 3, 'cooperlake': 3, 'skylakex': 3, 'haswell': 2, 'zen': 2,
            'sandybridge': 1}


def core_isa(core):
    return CORE_ISA.get(core.lower(), 0)
# Candidates, best first, with the CPU flags their kernels need.
CORE_CANDIDATES = [
    ('SapphireRapids', {'avx512f', 'avx512bw', 'avx512vl', 'avx512dq', 'avx512_bf16'}),
    ('CooperLake', {'avx512f', 'avx512bw', 'avx512vl', 'avx512dq', 'avx512_bf16'}),
    ('SkylakeX', {'avx512f', 'avx512bw', 'avx512vl', 'avx512dq'}),
    ('Haswell', {'avx2', 'fma'}),
    ('Zen', {'avx2', 'fma'}),
]
CORE_PROBE = (1024, 512, 256)  # M N K of the sgemm that decides, at 1 thread


def cpu_flags():
    m = re.search(r'^flags\s*:\s*(.*)$', read('/proc/cpuinfo'), re.M)
    return set(m.group(1).split()) if m else set()


def cpu_isa(flags):
    return 3 if 'avx512f' in flags else 2 if {'avx2', 'fma'} <= flags else 1 if 'avx' in flags else 0


def config_core(config):
    """The kernel core in an openblas_get_config() string ("OpenBLAS 0.3.21 DYNAMIC_ARCH
    NO_AFFINITY Prescott MAX_THREADS=64"): the word that is neither the name, the version, an
    upper-case option nor a setting."""
    for word in config.split()[2:]:
        if not word.isupper() and '=' not in word:
            return word
    return '?'


def probe_sgemm(prog, env):
    """(exit status, best GFLOP/s of two measurements of the probe) of sgemm_bound under env."""
    r = subprocess.run([prog, '1'] + [str(v) for v in CORE_PROBE * 2], capture_output=True,
                       text=True, env=env)
    rates = [float(line.split()[-1]) for line in r.stdout.splitlines()]
    return r.returncode, max(rates) if r.returncode == 0 and rates else 0.0


def openblas_core(builddir):
    """(OPENBLAS_CORETYPE settings for the peer and the bound, a description for the table)."""
    prog = os.path.join(builddir, 'bench', 'sgemm_bound')
    config = first_line([prog, '1'])
    core, flags = config_core(config), cpu_flags()
    if core_isa(core) >= cpu_isa(flags):
        return {}, '%s: its own choice of kernels (%s) suits this CPU' % (config, core)
    tried = []
    for name, needs in CORE_CANDIDATES:
        if not needs <= flags:
            continue
        env = dict(os.environ, OPENBLAS_CORETYPE=name)
        taken = config_core(first_line([prog, '1'], env))
        r = probe_sgemm(prog, env)
        if r[0] != 0 or core_isa(taken) <= core_isa(core):
            tried.append((0.0, '%s not taken (%s)' % (name, taken if r[0] == 0 else 'crashed')))
            continue
        # this OpenBLAS may run another core's kernels for a name (0.3.21: SapphireRapids runs
        # Cooperlake's)
        label = name if taken.lower() == name.lower() else '%s (runs %s)' % (name, taken)
        tried.append((r[1], name, label))
    env = dict(os.environ)
    env.pop('OPENBLAS_CORETYPE', None)
    own = probe_sgemm(prog, env)[1]
    best = max(tried) if tried else (0.0, None)
    probe = '[%d×%d]·[%d×%d] at 1 thread' % (CORE_PROBE[0], CORE_PROBE[2], CORE_PROBE[2], CORE_PROBE[1])
    results = ', '.join('%s %.0f' % (t[2], t[0]) if t[0] else t[1] for t in tried)
    if not best[1] or best[0] <= own:
        return {}, '%s: fallback core %s on this CPU; no better core found (%s: own %.0f GF/s, %s)' % (
            config, core, probe, own, results)
    return {'OPENBLAS_CORETYPE': best[1]}, (
        '%s: **fallback core %s** on this CPU (%.0f GF/s on %s); peer and bounds run with '
        'OPENBLAS_CORETYPE=%s, the fastest of the candidates (GF/s: %s)'
        % (config, core, own, probe, best[1], results))


# --------------------------------------------------------------------- limits ---

def triad(builddir, mib, threads):
    out = subprocess.run([os.path.join(builddir, 'bench', 'triad'), str(mib), str(threads)],
                         capture_output=True, text=True, check=True).stdout
    return float(out) * 1e9


def sgemm(builddir, threads, shapes, extra_env=None):
    """{(M, N, K): GFLOP/s} of OpenBLAS sgemm on each shape."""
    if not shapes:
        return {}
    args = [str(v) for s in sorted(shapes) for v in s]
    out = subprocess.run([os.path.join(builddir, 'bench', 'sgemm_bound'), str(threads)] + args,
                         capture_output=True, text=True, check=True,
                         env=dict(thread_env(threads), **(extra_env or {}))).stdout
    rates = {}
    for line in out.splitlines():
        m, n, k, g = line.split()
        rates[(int(m), int(n), int(k))] = float(g)
    return rates


def gemm_shapes(case):
    """The products a batch>1 layer does: per step [b x u] x [u x G*u], and the input
    projection of all steps [T*b x in] x [in x G*u]; with their FLOPs over the sequence."""
    T, b = case['T'], case['batch']
    for layer in case['layers']:
        g, u, d = gates(layer['cell']), layer['units'], layer['in']
        for _ in range(layer['dirs']):
            yield (b, g * u, u), 2.0 * T * b * u * g * u
            yield (T * b, g * u, d), 2.0 * T * b * d * g * u


def case_flops(case):
    return sum(f for _, f in gemm_shapes(case))


def bound(case, bw, rates, l3):
    """(seconds the machine needs at least, which limit): None when no bound applies."""
    if case['kind'] in ('seed', 'attention') or not case['layers']:
        return None
    if case['batch'] == 1:
        secs, kinds = 0.0, set()
        for layer in case['layers']:
            weight_bytes = 4.0 * layer['units'] * gates(layer['cell']) * layer['units']
            where = 'L3' if weight_bytes <= l3 else 'DRAM'
            kinds.add(where)
            secs += layer['dirs'] * weight_bytes * case['T'] / bw[where]
        return secs, ' + '.join('%s bw %.0f GB/s' % (k, bw[k] * 1e-9) for k in sorted(kinds))
    secs = sum(flops / (rates[shape] * 1e9) for shape, flops in gemm_shapes(case))
    return secs, 'sgemm %.0f GF/s' % (case_flops(case) / secs * 1e-9)


# ----------------------------------------------------------------- the runs ---

class Peer:
    """A bench/peer.py worker with its thread count fixed at start."""

    def __init__(self, srcdir, threads, extra_env=None):
        self.cmd = ['/usr/bin/python3', os.path.join(srcdir, 'bench', 'peer.py'), str(threads)]
        self.env = dict(thread_env(threads), **(extra_env or {}))
        self.start()

    def start(self):
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, env=self.env)
        self.hello = json.loads(self.proc.stdout.readline())

    def ask(self, **req):
        try:
            self.proc.stdin.write(json.dumps(req) + '\n')
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        except BrokenPipeError:
            line = ''
        if not line:  # the worker died (out of memory, a crash): a new one for the next cases
            code = self.proc.wait()
            self.start()
            raise RuntimeError('peer: the worker exited with %d' % code)
        reply = json.loads(line)
        if 'error' in reply:
            raise RuntimeError('peer: ' + reply['error'])
        return reply['secs']

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


def ours(builddir, case, threads, out=None, kernels=None):
    """One timed forward pass after bench/forward's warm-up (untimed passes for 50 ms, as the
    peer does before each timed call). threads 0: rnnscope's default; kernels: a vector path to
    force (BENCH_KERNELS), else the best the CPU has."""
    cmd = [os.path.join(builddir, 'bench', 'forward'), case['model'], case['input'], str(threads), '1']
    if out:
        cmd.append(out)
    env = thread_env(threads)
    if kernels:
        env['BENCH_KERNELS'] = kernels
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=OURS_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise RuntimeError('bench/forward took over %d s' % OURS_TIMEOUT) from None
    if r.returncode != 0:
        raise RuntimeError(r.stderr.strip() or 'bench/forward exited with %d' % r.returncode)
    return float(r.stdout.split()[-1])


def compare(ours_path, peer_path):
    """(max |ours - peer|, whether every element is within the tolerance)."""
    a, b = np.load(ours_path).astype(np.float64), np.load(peer_path).astype(np.float64)
    if a.shape != b.shape:
        return float('inf'), False
    diff = np.abs(a - b)
    diff[np.isnan(a) & np.isnan(b)] = 0
    ok = bool(np.all(diff <= TOLERANCE * np.maximum(1.0, np.abs(b))))
    return float(np.nanmax(diff)) if diff.size else 0.0, ok


def settle():
    """A pause before each timed call: after a call OpenBLAS keeps its threads spinning for a
    while (the peer's worker outlives its call), and they would take the cores the other side's
    threads need. Measured: a 2-thread batch-1 LSTM(256) of ours took 31 ms right after a peer
    call instead of 2.8 ms."""
    time.sleep(0.3)


def measure(builddir, work, case, threads, peer, max_reps, alt=None, alt_peer=None):
    """Alternate the two sides (who goes first swaps every repetition); fewer repetitions when
    one pair takes long. Both first runs write their outputs for the check. alt: a second vector
    path of ours (AVX2 on an AVX-512 machine), timed after ours in each repetition, and after it
    alt_peer, the peer on the same kind of kernels (what a machine with only that path runs)."""
    o_path, p_path = os.path.join(work, 'out.ours.npy'), os.path.join(work, 'out.peer.npy')
    ours_t, peer_t, alt_t, alt_peer_t = [], [], [], []
    reps = max_reps
    i = 0
    while i < reps:
        first = i == 0
        if i % 2 == 0:
            settle()
            ours_t.append(ours(builddir, case, threads, o_path if first else None))
            settle()
            peer_t.append(peer.ask(op='forward', case=case, out=p_path if first else None))
        else:
            settle()
            peer_t.append(peer.ask(op='forward', case=case, out=None))
            settle()
            ours_t.append(ours(builddir, case, threads))
        if alt:
            settle()
            alt_t.append(ours(builddir, case, threads, kernels=alt))
            if alt_peer:
                settle()
                alt_peer_t.append(alt_peer.ask(op='forward', case=case, out=None))
        if first:
            pair = ours_t[0] + peer_t[0]
            reps = max_reps if pair < 2 else min(max_reps, 3)
        i += 1
    diff, ok = compare(o_path, p_path)
    return (statistics.median(ours_t), statistics.median(peer_t), len(ours_t), diff, ok,
            statistics.median(alt_t) if alt_t else None,
            statistics.median(alt_peer_t) if alt_peer_t else None)


# --------------------------------------------------------------------- extras ---

def wall(cmd, env=None):
    t0 = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=env)
    return time.perf_counter() - t0


def weight_bytes(case):
    total = 0
    for layer in case['layers']:
        g, u = gates(layer['cell']), layer['units']
        bias = g * u * (2 if layer['cell'] == 'GRU' else 1)
        total += layer['dirs'] * 4 * (layer['in'] * g * u + u * g * u + bias)
    return total


def output_bytes(case):
    last = case['layers'][-1]
    return 4 * case['batch'] * case['T'] * last['units'] * last['dirs']


def peak_memory(rnnscope, work, case):
    """max RSS of `rnnscope dump` of the case's last layer, and the bytes it must hold."""
    out = os.path.join(work, 'dump.npy')
    rss, secs = max_rss([rnnscope, 'dump', case['model'], '--layer', case['last_layer'],
                         '--input', case['input'], '-o', out])
    os.remove(out)
    held = weight_bytes(case) + os.path.getsize(case['input']) + output_bytes(case)
    return rss, held, secs


# A fresh, small Python (no site, no NumPy) forks and execs the command: Linux keeps a process's
# peak RSS across exec, so a child forked from this process (NumPy, the outputs just compared)
# would report our peak; this parent's ~5 MB stay below any rnnscope run.
RSS_SPAWNER = """import os, sys, time
t0 = time.perf_counter()
pid = os.fork()
if pid == 0:
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.execv(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
print(usage.ru_maxrss * 1024, os.waitstatus_to_exitcode(status), time.perf_counter() - t0)
"""


def max_rss(cmd):
    """(peak RSS in bytes, seconds) of a command: os.wait4's rusage of the child."""
    r = subprocess.run(['/usr/bin/python3', '-S', '-c', RSS_SPAWNER] + cmd, capture_output=True,
                       text=True)
    rss, code, secs = r.stdout.split()
    if int(code) != 0:
        raise RuntimeError('%s: %s' % (' '.join(cmd[:2]), r.stderr.strip()))
    return int(rss), float(secs)


def extras(rnnscope, work, cases, big, demo, peer):
    lines = []
    rnn = [c for c in cases if c['kind'] in ('rnn', 'bilstm')]
    try:
        largest = max(rnn, key=lambda c: weight_bytes(c) + output_bytes(c))
        rss, held, secs = peak_memory(rnnscope, work, largest)
        base, _ = max_rss([rnnscope, 'summary', demo])
        lines.append(('peak memory of `rnnscope dump` (%s, layer %s)' % (largest['name'], largest['last_layer']),
                      '%.1f MB max RSS, %.1f MB above the program alone (%.1f MB: summary of the demo); '
                      'weights + input + output %.1f MB; ratio %.2f, above the program alone %.2f '
                      '(goal <= 1.5); %.2f s'
                      % (rss / 1e6, (rss - base) / 1e6, base / 1e6, held / 1e6, rss / held,
                         (rss - base) / held, secs)))
    except (RuntimeError, OSError, ValueError) as e:
        lines.append(('peak memory of `rnnscope dump`', 'failed: %s' % e))
    # load time of the ~200 MB file: page cache warmed by one read of each side first
    size = os.path.getsize(big)
    ours_t, peer_t = [], []
    try:
        for i in range(4):
            o = wall([rnnscope, 'summary', big])
            p = peer.ask(op='load', path=big)
            if i:
                ours_t.append(o)
                peer_t.append(p)
        lines.append(('load of a %.0f MB .h5 (two LSTM(2048))' % (size / 1e6),
                      '`rnnscope summary` %.3f s (whole process); h5py reading every weight %.3f s'
                      % (statistics.median(ours_t), statistics.median(peer_t))))
    except (subprocess.CalledProcessError, RuntimeError) as e:
        lines.append(('load of a 200 MB .h5', 'failed: %s' % e))
    try:
        starts = [wall([rnnscope, 'summary', demo]) for _ in range(6)][1:]
        lines.append(('`rnnscope summary` of the demo (start-up)', '%.1f ms (median of 5, whole process)'
                      % (statistics.median(starts) * 1e3)))
    except subprocess.CalledProcessError as e:
        lines.append(('`rnnscope summary` of the demo', 'failed: %s' % e))
    return lines


# --------------------------------------------------------- busy cores (issue 20) ---
# Our default thread count is every CPU the process may use, busy or not: a thread whose core
# another process holds makes the others sleep at the barrier (futex), not spin. Measured: the
# 2-thread batch-1 and batch-32 cases with one spinning process per core, default threads against
# 1 thread (goal: default <= 1.10 x 1 thread), and quiet (default against --threads N). Then,
# right after a busy minute, `rnnscope dump` of a large layer with the default threads against
# --threads N (the old load-average guess chose 1 thread here).

BUSY_REPS = 3
BUSY_ROUNDS = 7        # rounds of the busy comparison: 1 thread and default, in turn
BUSY_MIN_SECONDS = 0.3  # each measure runs the pass this long at least: many scheduler slices
BUSY_SECONDS = 60


def spinners(n):
    return [subprocess.Popen(['/usr/bin/python3', '-S', '-c', 'while True: pass']) for _ in range(n)]


def stop(procs):
    for p in procs:
        p.kill()
        p.wait()


def ours_median(builddir, case, threads):
    return statistics.median(ours(builddir, case, threads) for _ in range(BUSY_REPS))


def ours_mean(builddir, case, threads, reps):
    """Mean seconds of `reps` forward passes in one process (bench/forward prints each)."""
    cmd = [os.path.join(builddir, 'bench', 'forward'), case['model'], case['input'], str(threads),
           str(reps)]
    r = subprocess.run(cmd, capture_output=True, text=True, env=thread_env(threads),
                       timeout=OURS_TIMEOUT)
    if r.returncode != 0:
        raise RuntimeError(r.stderr.strip() or 'bench/forward exited with %d' % r.returncode)
    times = [float(x) for x in r.stdout.split()]
    return sum(times) / len(times)


def busy_ratio(builddir, case, quiet_secs):
    """(median 1-thread s, median default s, median and range of the rounds' default / 1 thread)
    with the cores busy. A pass of a few milliseconds is shorter than a scheduler's timeslice, so
    one pass measures whether a spinner happened to hold the core, not the thread policy: each
    measure is the mean of passes run for BUSY_MIN_SECONDS, and the two sides alternate (which
    goes first alternates too) so that both see the same spinners."""
    reps = max(1, int(BUSY_MIN_SECONDS / max(quiet_secs, 1e-6) + 0.5))
    one, dflt, ratios = [], [], []
    for i in range(BUSY_ROUNDS):
        order = (1, 0) if i % 2 == 0 else (0, 1)
        got = {t: ours_mean(builddir, case, t, reps) for t in order}
        one.append(got[1])
        dflt.append(got[0])
        ratios.append(got[0] / got[1])
    return (statistics.median(one), statistics.median(dflt), statistics.median(ratios),
            min(ratios), max(ratios))


def dump_median(rnnscope, work, case, threads):
    out = os.path.join(work, 'dump.npy')
    cmd = [rnnscope, 'dump', case['model'], '--layer', case['last_layer'], '--input', case['input'],
           '-o', out] + (['--threads', str(threads)] if threads else [])
    t = statistics.median(wall(cmd, env=thread_env(0)) for _ in range(BUSY_REPS))
    os.remove(out)
    return t


def busy_cores(builddir, rnnscope, work, cases, ncores):
    """(table lines, result lines) of the busy-core runs; ([], []) on a 1-CPU machine."""
    picks = [c for c in cases if c['kind'] == 'rnn' and c['T'] == 256 and c['batch'] in (1, 32)]
    if ncores < 2 or not picks:
        return [], []
    quiet = {c['name']: (ours_median(builddir, c, ncores), ours_median(builddir, c, 0)) for c in picks}
    started = time.time()
    procs = spinners(ncores)
    try:
        time.sleep(1)
        busy = {c['name']: busy_ratio(builddir, c, quiet[c['name']][0]) for c in picks}
        big = [c for c in cases if c['kind'] == 'rnn' and c['batch'] == 1]
        big = max(big, key=lambda c: weight_bytes(c) * c['T']) if big else None
        time.sleep(max(0.0, BUSY_SECONDS - (time.time() - started)))
    finally:
        stop(procs)
    lines = ['| case | quiet, --threads %d | quiet, default | default / --threads %d | busy, 1 thread | '
             'busy, default | default / 1 thread (goal <= 1.10) | rounds\' range |'
             % (ncores, ncores), '|' + '---|' * 8]
    for c in picks:
        (qn, qd), (b1, bd, ratio, lo, hi) = quiet[c['name']], busy[c['name']]
        lines.append('| %s | %s | %s | %.2f | %s | %s | %.2f%s | %.2f-%.2f |' % (
            c['name'], fmt_secs(qn), fmt_secs(qd), qd / qn, fmt_secs(b1), fmt_secs(bd), ratio,
            '' if ratio <= 1.10 else ' **over**', lo, hi))
    results = []
    if big:
        load = read('/proc/loadavg').split()[0]
        after = dump_median(rnnscope, work, big, 0)
        time.sleep(2)
        explicit = dump_median(rnnscope, work, big, ncores)
        results.append(('`rnnscope dump` (%s, layer %s) right after %d s of %d busy cores '
                        '(load average %s)' % (big['name'], big['last_layer'], BUSY_SECONDS, ncores, load),
                        'default threads %.3f s, --threads %d %.3f s: ratio %.2f (goal <= 1.10; '
                        'whole process, median of %d)' % (after, ncores, explicit, after / explicit,
                                                          BUSY_REPS)))
    return lines, results


# ---------------------------------------------------------------------- table ---

def fmt_secs(s):
    return '%.4f' % s if s < 1 else '%.3f' % s


def table(rows, alt):
    head = ['case', 'thr', 'ours s', 'peer s', 'ours/peer', 'max diff', 'reps', 'ours GF/s',
            'bound', 'of bound']
    if alt:
        head += ['ours %s s' % alt, 'peer %s s' % alt, '%s/peer %s' % (alt, alt), '%s of bound' % alt]
    lines = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    for r in rows:
        lines.append('| ' + ' | '.join(r) + ' |')
    return lines


def row(case, threads, res, bw, rates, l3, alt_rates=None):
    o, p, n, diff, ok, a, ap = res
    flops = case_flops(case) if case['layers'] and case['kind'] != 'seed' else 0
    b = bound(case, bw[threads], rates[threads], l3)
    cells = [case['name'], str(threads), fmt_secs(o), fmt_secs(p), '%.2f' % (o / p),
             '%.1e%s' % (diff, '' if ok else ' **FAIL**'), str(n),
             '%.1f' % (flops / o * 1e-9) if flops else '—',
             b[1] if b else '—', '%.2f' % (b[0] / o) if b else '—']
    if a:
        ab = bound(case, bw[threads], alt_rates[threads], l3) if alt_rates else b
        ap = ap or p
        cells += [fmt_secs(a), fmt_secs(ap), '%.2f' % (a / ap), '%.2f' % (ab[0] / a) if ab else '—']
    return cells


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--srcdir', default='.')
    ap.add_argument('--builddir', default='.')
    ap.add_argument('--work', default='bench/work')
    ap.add_argument('--out', default='bench/results.md')
    ap.add_argument('--quick', action='store_true')
    ap.add_argument('--reps', type=int, default=0, help='repetitions per case (default 5, quick 3)')
    ap.add_argument('--only', default='', help='run only the cases whose name matches this regex')
    ap.add_argument('--no-busy', action='store_true', help='leave out the busy-core runs')
    args = ap.parse_args()
    quick = args.quick or os.environ.get('QUICK', '') not in ('', '0')
    max_reps = args.reps or (3 if quick else 5)
    srcdir, builddir = os.path.abspath(args.srcdir), os.path.abspath(args.builddir)
    work = os.path.abspath(args.work)
    rnnscope = os.path.join(builddir, 'rnnscope')
    started = time.time()
    loadavg = read('/proc/loadavg')
    busy = busy_processes()
    if busy:
        log('bench: warning: other processes are using the CPU (%s): both sides lose cores to '
            'them and the ratios get noisy' % ', '.join(busy))
    commit = source_commit(srcdir)

    log('bench: writing the models into %s' % work)
    subprocess.run(['/usr/bin/python3', os.path.join(srcdir, 'bench', 'make_models.py'), work]
                   + (['--quick'] if quick else []), check=True)
    with open(os.path.join(work, 'cases.json')) as f:
        spec = json.load(f)
    cases = [c for c in spec['cases'] if re.search(args.only, c['name'])]
    ncores = len(os.sched_getaffinity(0))
    thread_counts = sorted({1, ncores})

    log('bench: OpenBLAS kernel core')
    blas_env, openblas = openblas_core(builddir)
    BLAS_ENV.update(blas_env)
    log('bench: ' + openblas)
    kernels = first_line([os.path.join(builddir, 'bench', 'forward'), '--kernels'])
    # an AVX-512 machine also times our AVX2 path (what an AVX2-only machine runs)
    alt = 'avx2' if kernels == 'avx512' else None

    log('bench: limits (STREAM triad, OpenBLAS sgemm)')
    l3 = l3_bytes()
    bw = {t: {'DRAM': triad(builddir, TRIAD_DRAM_MIB, t), 'L3': triad(builddir, TRIAD_CACHE_MIB, t)}
          for t in thread_counts}
    shapes = {s for c in cases if c['batch'] > 1 and c['kind'] in ('rnn', 'bilstm') for s, _ in gemm_shapes(c)}
    rates = {t: sgemm(builddir, t, shapes) for t in thread_counts}
    # n threads can always do what fewer do: the limit at n threads is the best at up to n
    best_bw = {t: {k: max(bw[s][k] for s in thread_counts if s <= t) for k in bw[t]} for t in thread_counts}
    best_rates = {t: {k: max(rates[s][k] for s in thread_counts if s <= t) for k in rates[t]}
                  for t in thread_counts}

    # the AVX2 columns of an AVX-512 machine: against the peer and the sgemm bound on OpenBLAS'
    # AVX2 kernels, as an AVX2-only machine would run them
    alt_env = {'OPENBLAS_CORETYPE': 'Haswell'} if alt == 'avx2' else None
    alt_rates = None
    if alt_env:
        rates_alt = {t: sgemm(builddir, t, shapes, alt_env) for t in thread_counts}
        alt_rates = {t: {k: max(rates_alt[s][k] for s in thread_counts if s <= t) for k in rates_alt[t]}
                     for t in thread_counts}
    peers = {t: Peer(srcdir, t) for t in thread_counts}
    alt_peers = {t: Peer(srcdir, t, alt_env) for t in thread_counts} if alt_env else {}
    rows = []
    try:
        for case in cases:
            for t in thread_counts:
                try:
                    res = measure(builddir, work, case, t, peers[t], max_reps, alt, alt_peers.get(t))
                except RuntimeError as e:  # a row that says so: a failing side must not vanish
                    log('bench: %s, %d threads: %s' % (case['name'], t, e))
                    rows.append([case['name'], str(t), '**error**', '', '', str(e)[:120].replace('|', '/'),
                                 '', '', '', ''] + ([''] * 4 if alt else []))
                    continue
                rows.append(row(case, t, res, best_bw, best_rates, l3, alt_rates))
                log('  ' + ' | '.join(rows[-1]))
        log('bench: memory, load time, start-up')
        demo = os.path.join(srcdir, 'share', 'rnnscope', 'demo', 'demo.h5')
        extra = extras(rnnscope, work, cases, spec['big_model'], demo, peers[thread_counts[-1]])
        desc = machine(builddir, peers[1].hello, openblas,
                       kernels + (' (also timed with the AVX2 path forced: the %s columns)' % alt
                                  if alt else ''), loadavg, busy, commit)
    finally:
        for p in list(peers.values()) + list(alt_peers.values()):
            p.close()
    busy_lines, busy_results = [], []
    if not args.no_busy:
        log('bench: threads on busy cores (about %d s)' % (BUSY_SECONDS + 30))
        busy_lines, busy_results = busy_cores(builddir, rnnscope, work, cases, ncores)

    limits = []
    for t in thread_counts:
        limits.append(('triad, %d thread%s' % (t, 's' if t > 1 else ''),
                       '%.1f GB/s over 3 x %d MiB (beyond L3), %.1f GB/s over 3 x %d MiB (in L3)'
                       % (bw[t]['DRAM'] / 1e9, TRIAD_DRAM_MIB, bw[t]['L3'] / 1e9, TRIAD_CACHE_MIB)))
        for label, r in (('', rates), (' (AVX2 kernels, Haswell)', alt_rates or {})):
            if r.get(t):
                limits.append(('sgemm, %d thread%s%s' % (t, 's' if t > 1 else '', label),
                               ', '.join('[%d×%d]·[%d×%d] %.0f GF/s' % (s[0], s[2], s[2], s[1], g)
                                         for s, g in sorted(r[t].items()))))
    limits.append(('last-level cache', '%.0f MiB (weights up to this size count as in cache)' % (l3 / 2**20)))

    out = ['# rnnscope vs PyTorch, forward pass (make bench%s)' % (' QUICK=1' if quick else ''), '',
           'Run %s UTC, %.0f s in all.' % (time.strftime('%Y-%m-%d %H:%M', time.gmtime(started)),
                                           time.time() - started), '',
           '| machine | |', '| --- | --- |'] + ['| %s | %s |' % kv for kv in desc] + ['']
    out += table(rows, alt) + ['']
    out += ['Times are medians of `reps` alternating runs of the forward pass alone; max diff is the '
            'largest |ours - peer| over the output (**FAIL** when above 1e-4·max(1, |peer|)). '
            'Bound: the time the machine needs at least (batch 1: recurrent weights × T / bandwidth; '
            'batch > 1: the layer\'s products at OpenBLAS sgemm speed); "of bound" = that time / ours.'
            + (' The %s columns: our AVX2 path forced, against the peer on OpenBLAS\' AVX2 kernels '
               '(OPENBLAS_CORETYPE=Haswell) and the bound of that sgemm: what a machine with AVX2 only '
               'runs on both sides.' % alt if alt_env else ''), '']
    out += ['| limit | measured |', '| --- | --- |'] + ['| %s | %s |' % kv for kv in limits] + ['']
    if busy_lines:
        out += ['Threads on busy cores: our side alone; "busy": one spinning process per core; '
                '"default": no --threads, no RNNSCOPE_THREADS. Quiet: median of %d passes. Busy: '
                '%d rounds, each the mean of passes run for %.1f s at 1 thread and at the default '
                'in turn; the ratio is the median of the rounds\' ratios, their range beside it.'
                % (BUSY_REPS, BUSY_ROUNDS, BUSY_MIN_SECONDS), '']
        out += busy_lines + ['']
    out += ['| also | result |', '| --- | --- |'] + ['| %s | %s |' % kv for kv in extra + busy_results]
    text = '\n'.join(out) + '\n'
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, 'w') as f:
        f.write(text)
    print(text)
    log('bench: written to %s' % args.out)


if __name__ == '__main__':
    main()
