# A long computation in the explorer: a progress bar after ~100 ms, Esc cancels it, Ctrl-L
# computes again. A 512-unit LSTM on 6000 timesteps takes seconds.
. "$top_srcdir/tests/lib.sh"
command -v tmux >/dev/null || { echo "tmux is not installed"; exit 77; }
"$PY" -c 'import h5py, numpy' 2>/dev/null || { echo "python3-h5py is not installed"; exit 77; }
"$PY" - "$T" <<'PY'
import h5py, json, numpy as np, sys
d = sys.argv[1]; rng = np.random.default_rng(0); U = 512
layers = [{"class_name": "LSTM", "config": {"name": "slow_lstm", "units": U, "return_sequences": True,
           "activation": "tanh", "recurrent_activation": "sigmoid", "use_bias": True,
           "batch_input_shape": [None, None, 8]}}]
with h5py.File(d + "/slow.h5", "w") as f:
    f.attrs["keras_version"] = b"2.3.1"; f.attrs["backend"] = b"tensorflow"
    f.attrs["model_config"] = json.dumps({"class_name": "Sequential", "config": {"name": "s", "layers": layers}}).encode()
    mw = f.create_group("model_weights"); mw.attrs["layer_names"] = np.array([b"slow_lstm"])
    g = mw.create_group("slow_lstm")
    ws = [("kernel", (8, 4 * U)), ("recurrent_kernel", (U, 4 * U)), ("bias", (4 * U,))]
    g.attrs["weight_names"] = np.array([("slow_lstm/%s:0" % w).encode() for w, _ in ws])
    for w, shape in ws:
        g.create_dataset("slow_lstm/%s:0" % w, data=(rng.standard_normal(shape) * 0.03).astype(np.float32))
np.save(d + "/long.npy", rng.random((1, 6000, 8), dtype=np.float32))
PY
SOCK=rs-progress-$$ PANE=p
trap 'tm kill-server 2>/dev/null; rm -rf "$T"' EXIT
tm new-session -d -s p -x 120 -y 30 \
    "env LANG=C.UTF-8 TERM=xterm-256color '$RNNSCOPE' --input '$T/long.npy' '$T/slow.h5'; echo EXITED:\$?; sleep 60"
if wait_for 'computing \[#* *\] +[0-9]+%  Esc cancels' 10; then ok "a long computation shows a progress bar"
else not_ok "a long computation shows a progress bar"; diag < "$T/pane"; fi
tm send-keys -t p Escape
if wait_for 'cancelled' 5 && ! grep -q 'computing \[' "$T/pane"; then ok "Esc cancels it, and the view says so"
else not_ok "Esc cancels it, and the view says so"; diag < "$T/pane"; fi
sleep 0.5
tm capture-pane -p -t p > "$T/pane2"
grep -q 'computing \[' "$T/pane2" && not_ok "a cancelled computation does not start again by itself" ||
    ok "a cancelled computation does not start again by itself"
tm send-keys -t p C-l
if wait_for 'computing \[' 5; then ok "Ctrl-L computes it again"; else not_ok "Ctrl-L computes it again"; diag < "$T/pane"; fi
tm send-keys -t p q
if wait_for 'EXITED:0' 10; then ok "q during a computation quits"; else not_ok "q during a computation quits"; diag < "$T/pane"; fi
done_testing
