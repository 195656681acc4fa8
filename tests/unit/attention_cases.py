#!/usr/bin/python3
"""Expected outputs of attention layers in the cases the tests/ref models do not cover (masks on
Keras' attention layers, causal masks, history_only's 1e9 width, multi-head masks), computed
with NumPy line by line after the layers' own source:
  keras/src/layers/attention/{attention,additive_attention,multi_head_attention}.py,
  keras_self_attention 0.51.0 {seq_self_attention,scaled_dot_attention}.py,
  keras_multi_head 0.29.0 multi_head_attention.py.
Writes tests/unit/data/attention_cases.json (reproducible: fixed seed).
Run: /usr/bin/python3 tests/unit/attention_cases.py"""
import json
import os

import numpy as np

rng = np.random.default_rng(20261125)
B, T = 2, 5
F32 = np.float32


def rand(*shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(F32)


def softmax(e):
    e = np.exp(e - e.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


# step masks: sample 0 has its last two steps padded, sample 1 its first
MASK = np.array([[1, 1, 1, 0, 0], [0, 1, 1, 1, 1]], dtype=F32)
MASK_B = np.array([[1, 1, 0, 1, 1], [1, 1, 1, 1, 0]], dtype=F32)


def keras_attention(q, v, k, q_mask, v_mask, scores_fn, causal):
    """BaseDenseAttention / Attention.call: scores, causal & value mask (-1e9), softmax,
    weights @ value, times the query mask."""
    scores = scores_fn(q, k)
    mask = np.ones(scores.shape, dtype=bool)
    if v_mask is not None:
        mask &= v_mask[:, None, :].astype(bool)
    if causal:
        i = np.arange(scores.shape[1])[:, None]
        j = np.arange(scores.shape[2])[None, :]
        mask &= (i >= j)[None]
    scores = scores - F32(1e9) * (~mask).astype(F32)
    a = softmax(scores)
    out = a @ v
    if q_mask is not None:
        out = out * q_mask[..., None]
    return out, a


def case_attention_dot():
    q, v, k = rand(B, T, 3), rand(B, 4, 2), rand(B, 4, 3)
    v_mask = np.array([[1, 1, 0, 1], [1, 0, 0, 1]], dtype=F32)
    scale = F32(0.7)
    out, a = keras_attention(q, v, k, MASK, v_mask,
                             lambda q, k: scale * (q @ k.transpose(0, 2, 1)), False)
    return dict(name="Attention dot, use_scale, query and value masks, separate key",
                class_name="Attention", config=dict(use_scale=True, score_mode="dot"),
                weights=[[scale]], inputs=[q, v, k], masks=[MASK, v_mask, None],
                outputs=[out], out_masks=[MASK])


def case_attention_concat_causal():
    q, v = rand(B, T, 3), rand(B, T, 3)
    scale, csw = F32(1.3), F32(-0.6)
    fn = lambda q, k: csw * np.tanh(scale * (q[:, :, None, :] + k[:, None, :, :])).sum(-1)
    out, a = keras_attention(q, v, v, None, MASK_B, fn, True)
    return dict(name="Attention concat, causal (Keras 2 config), value mask",
                class_name="Attention",
                config=dict(use_scale=True, score_mode="concat", causal=True),
                weights=[[scale], [csw]], inputs=[q, v], masks=[None, MASK_B],
                outputs=[out], out_masks=[None])


def case_additive():
    q, v, k = rand(B, T, 4), rand(B, T, 2), rand(B, T, 4)
    scale = rand(4)
    fn = lambda q, k: (scale * np.tanh(q[:, :, None, :] + k[:, None, :, :])).sum(-1)
    out, a = keras_attention(q, v, k, MASK_B, MASK, fn, False)
    return dict(name="AdditiveAttention, query and value masks",
                class_name="AdditiveAttention", config=dict(use_scale=True),
                weights=[scale], inputs=[q, v, k], masks=[MASK_B, MASK, MASK],
                outputs=[out], out_masks=[MASK_B])


def case_attention_call_kwargs(keras3):
    """Attention called with use_causal_mask=True, return_attention_scores=True: recorded in the
    functional config's inbound_nodes (Keras 3: {"args", "kwargs"}; Keras 2: 4th element)."""
    q, v = rand(B, T, 3), rand(B, T, 3)
    out, a = keras_attention(q, v, v, MASK, MASK_B, lambda q, k: q @ k.transpose(0, 2, 1), True)
    kwargs = dict(use_causal_mask=True, return_attention_scores=True)
    if keras3:
        inbound = [dict(args=[[]], kwargs=kwargs)]
    else:
        inbound = [[["query", 0, 0, kwargs], ["value", 0, 0, kwargs]]]
    return dict(name=f"Attention use_causal_mask, return_attention_scores (Keras {3 if keras3 else 2} call)",
                class_name="Attention", config=dict(use_scale=False, score_mode="dot"),
                inbound_nodes=inbound, weights=[], inputs=[q, v], masks=[MASK, MASK_B],
                outputs=[out, a], out_masks=[MASK, None])


def sdpa(q, k, v, key_mask, history_only):
    """keras_self_attention ScaledDotProductAttention.call."""
    e = (q @ k.transpose(0, 2, 1)) / np.sqrt(F32(q.shape[-1]))
    if history_only:
        idx = np.arange(k.shape[1])[None, :]
        upper = np.arange(q.shape[1])[:, None]
        e = e - F32(10000.0) * (idx > upper).astype(F32)[None]
    if key_mask is not None:
        e = e - F32(10000.0) * (1.0 - key_mask[:, None, :])
    a = softmax(e)
    return a @ v, a


def case_sdpa():
    q, k, v = rand(B, T, 3), rand(B, T, 3), rand(B, T, 2)
    out, a = sdpa(q, k, v, MASK_B, True)
    return dict(name="ScaledDotProductAttention [Q, K, V], history_only, key mask",
                class_name="ScaledDotProductAttention",
                config=dict(history_only=True, return_attention=True),
                weights=[], inputs=[q, k, v], masks=[MASK, MASK_B, MASK],
                outputs=[out, a], out_masks=[MASK, None])


def case_self_attention_causal():
    """SeqSelfAttention(history_only=True) saves attention_width 1e9: int32 window maths."""
    x = rand(B, T, 3)
    U = 4
    Wt, Wx, bh, Wa, ba = rand(3, U), rand(3, U), rand(U), rand(U, 1), rand(1)
    h = np.tanh((x @ Wt)[:, :, None, :] + (x @ Wx)[:, None, :, :] + bh)
    e = (h @ Wa)[..., 0] + ba
    w = 1000000000
    t = np.arange(T, dtype=np.int64)
    lower = (t - (w - 1))[:, None]
    upper = lower + w
    inside = ((lower <= t[None, :]) & (t[None, :] < upper)).astype(F32)
    e = e - F32(10000.0) * (1.0 - inside)
    m = MASK[:, :, None]
    e = e - F32(10000.0) * ((1.0 - m) * (1.0 - m.transpose(0, 2, 1)))
    a = softmax(e)
    return dict(name="SeqSelfAttention history_only (width 1e9), mask",
                class_name="SeqSelfAttention",
                config=dict(units=U, attention_width=w, history_only=True,
                            return_attention=True, attention_type="additive"),
                weights=[Wt, Wx, bh, Wa, ba], inputs=[x], masks=[MASK],
                outputs=[a @ x, a], out_masks=[MASK, None])


def relu(x):
    return np.maximum(x, 0)


def case_package_multi_head():
    x = rand(B, T, 4)
    H, Fd = 2, 4
    W = [rand(4, Fd), rand(Fd), rand(4, Fd), rand(Fd), rand(4, Fd), rand(Fd), rand(Fd, Fd), rand(Fd)]
    q, k, v = (relu(x @ W[i] + W[i + 1]) for i in (0, 2, 4))
    split = lambda y: y.reshape(B, T, H, Fd // H).transpose(0, 2, 1, 3).reshape(B * H, T, Fd // H)
    mask = np.repeat(MASK, H, axis=0)  # _reshape_mask: the sample's mask for each head
    y, _ = sdpa(split(q), split(k), split(v), mask.reshape(B, H, T).reshape(B * H, T), True)
    y = y.reshape(B, H, T, Fd // H).transpose(0, 2, 1, 3).reshape(B, T, Fd)
    out = relu(y @ W[6] + W[7])
    return dict(name="keras-multi-head MultiHeadAttention, history_only, mask",
                class_name="MultiHeadAttention",
                config=dict(head_num=H, activation="relu", use_bias=True, history_only=True),
                weights=W, inputs=[x], masks=[MASK], outputs=[out], out_masks=[MASK])


def case_keras_multi_head_causal_scores():
    """MultiHeadAttention(query, value, use_causal_mask=True, return_attention_scores=True)."""
    H, kd, O = 2, 2, 3
    xq, xv = rand(B, T, 3), rand(B, T, 3)
    Wq, bq, Wk, bk = rand(3, H, kd), rand(H, kd), rand(3, H, kd), rand(H, kd)
    Wv, bv, Wo, bo = rand(3, H, kd), rand(H, kd), rand(H, kd, O), rand(O)
    q = (np.einsum("abc,cde->abde", xq, Wq) + bq) * F32(1.0 / np.sqrt(kd))
    k = np.einsum("abc,cde->abde", xv, Wk) + bk
    v = np.einsum("abc,cde->abde", xv, Wv) + bv
    s = np.einsum("aecd,abcd->acbe", k, q)
    causal = np.tril(np.ones((T, T), dtype=F32))
    s = s + (1.0 - causal) * F32(-1e9)
    a = softmax(s)
    o = np.einsum("acbe,aecd->abcd", a, v)
    out = np.einsum("abcd,cde->abe", o, Wo) + bo
    kwargs = dict(use_causal_mask=True, return_attention_scores=True)
    return dict(name="Keras MultiHeadAttention use_causal_mask, return_attention_scores",
                class_name="MultiHeadAttention", keras_major=3, keras_version="3.10.0",
                config=dict(num_heads=H, key_dim=kd, value_dim=None, use_bias=True,
                            output_shape=O, attention_axes=None),
                inbound_nodes=[dict(args=[[]], kwargs=kwargs)],
                weights=[Wq, bq, Wk, bk, Wv, bv, Wo, bo], inputs=[xq, xv], masks=[None, None],
                outputs=[out, a], out_masks=[None, None])


def case_keras_multi_head(version):
    """MultiHeadAttention: masks q & v (& key) combined; Softmax adds -1e9 where masked;
    Keras 3.10+ (keras commit 2111fbca, #21149) then zeroes the masked weights."""
    keras_major, minor = (int(x) for x in version.split(".")[:2])
    H, kd, vd, O = 2, 3, 2, 4
    xq, xv = rand(B, T, 4), rand(B, 4, 3)
    v_mask = np.array([[1, 1, 0, 1], [0, 1, 1, 1]], dtype=F32)
    Wq, bq, Wk, bk = rand(4, H, kd), rand(H, kd), rand(3, H, kd), rand(H, kd)
    Wv, bv, Wo, bo = rand(3, H, vd), rand(H, vd), rand(H, vd, O), rand(O)
    q = np.einsum("abc,cde->abde", xq, Wq) + bq
    k = np.einsum("abc,cde->abde", xv, Wk) + bk
    v = np.einsum("abc,cde->abde", xv, Wv) + bv
    q = q * F32(1.0 / np.sqrt(kd))
    s = np.einsum("aecd,abcd->acbe", k, q)
    mask = (MASK[:, :, None] * v_mask[:, None, :])[:, None]  # (B, 1, Tq, Tv)
    s = s + (1.0 - mask) * F32(-1e9)
    a = softmax(s)
    if (keras_major, minor) >= (3, 10):
        a = a * mask
    o = np.einsum("acbe,aecd->abcd", a, v)
    out = np.einsum("abcd,cde->abe", o, Wo) + bo
    return dict(name=f"Keras MultiHeadAttention, query and value masks, Keras {version}",
                class_name="MultiHeadAttention", keras_major=keras_major, keras_version=version,
                config=dict(num_heads=H, key_dim=kd, value_dim=vd, use_bias=True,
                            output_shape=O, attention_axes=None),
                weights=[Wq, bq, Wk, bk, Wv, bv, Wo, bo], inputs=[xq, xv], masks=[MASK, v_mask],
                outputs=[out], out_masks=[MASK])


def tolist(a):
    return None if a is None else np.asarray(a, dtype=F32).tolist()


def main():
    cases = [case_attention_dot(), case_attention_concat_causal(), case_additive(), case_sdpa(),
             case_self_attention_causal(), case_package_multi_head(), case_keras_multi_head("2.15.0"),
             case_keras_multi_head("3.9.2"), case_keras_multi_head("3.10.0"),
             case_attention_call_kwargs(False), case_attention_call_kwargs(True),
             case_keras_multi_head_causal_scores()]
    for c in cases:
        for key in ("weights", "inputs", "masks", "outputs", "out_masks"):
            c[key] = [tolist(a) for a in c[key]]
        c["config"]["name"] = c["class_name"].lower()
    here = os.path.dirname(os.path.abspath(__file__))
    os.makedirs(os.path.join(here, "data"), exist_ok=True)
    with open(os.path.join(here, "data", "attention_cases.json"), "w") as f:
        json.dump({"cases": cases}, f, indent=None, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
