#!/usr/bin/python3
"""Consistency checks of the committed reference fixtures (used by
tests/cli/ref_fixtures.sh).  Reads every file back with NumPy / h5py / zipfile,
independently of the writer, following the table "Formats" in tests/ref/README.md.

    check_fixtures.py ROOT list                 -> "model format" lines
    check_fixtures.py ROOT model NAME           -> inputs/outputs load with listed shapes
    check_fixtures.py ROOT format NAME FORMAT   -> file layout + weights equal the TF.js ones
    check_fixtures.py ROOT quirks               -> every quirk appears somewhere in the corpus
    check_fixtures.py ROOT wild WILD_DIR        -> our files have the layout of real Keras files
    check_fixtures.py ROOT all                  -> all of the above, one line per case:
                                                   "ok<TAB>what" or "not ok<TAB>what<TAB>why"
"""
import io
import json
import os
import re
import sys
import zipfile

import h5py
import numpy as np

HDF5_MAGIC = b'\x89HDF\r\n\x1a\n'
RNN = ('LSTM', 'GRU', 'SimpleRNN')


def fail(msg):
    raise SystemExit(msg)


def manifest(root):
    with open(os.path.join(root, 'manifest.json')) as f:
        return json.load(f)


def find_model(root, name):
    for m in manifest(root)['models']:
        if m['name'] == name:
            return m
    fail('no model %s in manifest' % name)


# ------------------------------------------------------------------ npy ----

def check_model(root, m):
    d = os.path.join(root, m['name'])
    if not m['inputs'] or not m['layers']:
        fail('model without inputs or layers')
    for inp in m['inputs']:
        a = np.load(os.path.join(d, inp['file']))
        if list(a.shape) != inp['shape'] or a.dtype != np.dtype(inp['dtype']):
            fail('%s: %s %s, manifest says %s %s' % (inp['file'], a.shape, a.dtype, inp['shape'], inp['dtype']))
        if a.shape[0] != m['batch']:
            fail('%s: batch %d, manifest says %d' % (inp['file'], a.shape[0], m['batch']))
    n = 0
    for layer in m['layers']:
        if layer['class_name'] != 'InputLayer' and not layer['outputs']:
            fail('layer %s has no reference output' % layer['name'])
        for o in layer['outputs']:
            a = np.load(os.path.join(d, o['file']))
            if list(a.shape) != o['shape'] or a.dtype != np.float32:
                fail('%s: %s %s, manifest says %s float32' % (o['file'], a.shape, a.dtype, o['shape']))
            if not np.all(np.isfinite(a)):
                fail('%s: non-finite values' % o['file'])
            if a.shape[0] != m['batch']:
                fail('%s: batch axis %d' % (o['file'], a.shape[0]))
            n += 1
    print('%s: %d inputs, %d reference outputs' % (m['name'], len(m['inputs']), n))


# --------------------------------------------------------------- readers ---

def str_list(obj, name):
    """Keras' load_attributes_from_hdf5_group: name or name0, name1, ..."""
    if name in obj.attrs:
        vals = obj.attrs[name]
    else:
        vals, k = [], 0
        while '%s%d' % (name, k) in obj.attrs:
            vals.extend(obj.attrs['%s%d' % (name, k)])
            k += 1
        if k == 0:
            fail('%s: no attribute %s' % (obj.name, name))
    return [v.decode('utf8') if isinstance(v, bytes) else str(v) for v in vals]


def attr_kind(obj, name):
    key = name if name in obj.attrs else name + '0'
    t = obj.attrs.get_id(key).get_type()
    if t.get_class() != h5py.h5t.STRING:
        return 'empty'
    return 'vlen' if t.is_variable_str() else 'fixed'


def dequantize(buf, offset, n, spec):
    """A TF.js weight: float32, or quantized uint8/uint16 (float32(q*scale+min)
    computed in double) or float16.  Returns (float32 array, bytes used)."""
    q = spec.get('quantization')
    if q is None:
        return np.frombuffer(buf, '<f4', n, offset).reshape(spec['shape']), 4 * n
    if q['dtype'] == 'float16':
        return np.frombuffer(buf, '<f2', n, offset).astype(np.float32).reshape(spec['shape']), 2 * n
    dt = {'uint8': np.uint8, 'uint16': '<u2'}[q['dtype']]
    raw = np.frombuffer(buf, dt, n, offset)
    vals = raw.astype(np.float64) * q['scale'] + q['min']  # in double, one rounding (as tfjs)
    return vals.astype(np.float32).reshape(spec['shape']), raw.itemsize * n


def tfjs_weights(d, sub='tfjs'):
    with open(os.path.join(d, sub, 'model.json')) as f:
        mj = json.load(f)
    out = {}
    for g in mj['weightsManifest']:
        buf = b''.join(open(os.path.join(d, sub, p), 'rb').read() for p in g['paths'])
        off = 0
        for w in g['weights']:
            n = int(np.prod(w['shape'], dtype=np.int64))
            out[w['name']], size = dequantize(buf, off, n, w)
            off += size
        if off != len(buf):
            fail('tfjs: %d shard bytes for %d bytes of weights' % (len(buf), off))
    return out


def h5_layer_weights(group_root, m, vlen_expected, name_rule):
    """Per manifest layer: arrays read through weight_names, in order."""
    names = str_list(group_root, 'layer_names')
    kind = attr_kind(group_root, 'layer_names')
    if kind != ('vlen' if vlen_expected else 'fixed'):
        fail('layer_names stored as %s strings' % kind)
    out = {}
    for layer in m['layers']:
        if layer.get('nested_in'):
            continue
        if layer['name'] not in names:
            if layer['class_name'] == 'InputLayer':
                continue
            fail('layer %s missing from layer_names %s' % (layer['name'], names))
        g = group_root[layer['name']]
        wn = str_list(g, 'weight_names')
        if wn and attr_kind(g, 'weight_names') != ('vlen' if vlen_expected else 'fixed'):
            fail('%s weight_names stored as %s' % (layer['name'], attr_kind(g, 'weight_names')))
        for n in wn:
            if not name_rule(layer, n):
                fail('%s: weight name %s breaks the naming rule of this format' % (layer['name'], n))
        out[layer['name']] = [g[n][()] for n in wn]
    return out


def zip_layer_weights(z, m):
    cfg = json.loads(z.read('config.json'))
    if cfg.get('module') is None or 'registered_name' not in cfg:
        fail('config.json is not in Keras 3 form')
    meta = json.loads(z.read('metadata.json'))
    if not meta['keras_version'].startswith('3.'):
        fail('metadata.json keras_version %s' % meta['keras_version'])
    f = h5py.File(io.BytesIO(z.read('model.weights.h5')), 'r')
    out = {}
    by_name = {l['name']: l for l in m['layers']}
    walk_container(f, cfg, by_name, out, top=True)
    return out


def snake(name):
    name = re.sub(r'(.)([A-Z][a-z]+)', r'\1_\2', name)
    return re.sub(r'([a-z])([A-Z])', r'\1_\2', name).lower()


def vars_of(g):
    v = g['vars']
    return [v[str(i)][()] for i in range(len(v))]


def layer_vars(g, cls, cfg):
    if cls in RNN or cls.startswith('CuDNN'):
        return vars_of(g['cell'])
    if cls == 'Bidirectional':
        return (layer_vars(g['forward_layer'], cfg['layer']['class_name'], cfg['layer']['config']) +
                layer_vars(g['backward_layer'], cfg['layer']['class_name'], cfg['layer']['config']))
    if cls == 'MultiHeadAttention' and 'num_heads' in cfg:  # Keras' own: EinsumDense parts
        return [a for part in ('query_dense', 'key_dense', 'value_dense', 'output_dense') for a in vars_of(g[part])]
    if cls == 'TimeDistributed':
        return layer_vars(g['layer'], cfg['layer']['class_name'], cfg['layer']['config'])
    if cls in ('Sequential', 'Functional'):
        res = []
        used = {}
        for sub in cfg['layers']:
            if sub['class_name'] == 'InputLayer' and cls == 'Sequential':
                continue
            res.extend(layer_vars(g['layers'][counted(used, sub['class_name'])], sub['class_name'], sub['config']))
        return res
    return vars_of(g)


def counted(used, cls):
    s = snake(cls)
    if s in used:
        used[s] += 1
        return '%s_%d' % (s, used[s])
    used[s] = 0
    return s


def walk_container(f, cfg, by_name, out, top):
    used = {}
    seq = cfg['class_name'] == 'Sequential'
    for sub in cfg['config']['layers']:
        cls = sub['class_name']
        if cls == 'InputLayer' and seq:
            continue
        group = f['layers'][counted(used, cls)]
        name = sub.get('name', sub['config'].get('name'))
        if name not in by_name:
            fail('config layer %s not in manifest' % name)
        out[name] = layer_vars(group, cls, sub['config'])


# ---------------------------------------------------------------- formats ---

def format_weights(d, m, fmt, spec):
    path = os.path.join(d, spec['file'])
    with open(path, 'rb') as fh:
        magic = fh.read(8)
    if fmt in ('keras3_zip', 'keras3_zip_deflated'):
        if magic[:4] != b'PK\x03\x04':
            fail('%s is not a zip' % spec['file'])
        z = zipfile.ZipFile(path)
        names = [i.filename for i in z.infolist()]
        if sorted(names) != ['config.json', 'metadata.json', 'model.weights.h5']:
            fail('zip entries %s' % names)
        want = zipfile.ZIP_DEFLATED if fmt == 'keras3_zip_deflated' else zipfile.ZIP_STORED
        if any(i.compress_type != want for i in z.infolist()):
            fail('zip entries not all %s' % ('deflated' if want else 'stored'))
        return zip_layer_weights(z, m)
    if fmt.startswith('tfjs_'):  # converted from Keras: the converter's fields and the Keras config
        mj = json.load(open(path))
        topo = mj['modelTopology']
        if not mj['generatedBy'].startswith('keras v') or 'Converter' not in mj['convertedBy'] or \
                mj['generatedBy'] != 'keras v' + topo['keras_version'] or 'model_config' not in topo:
            fail('%s: not a converted Keras model: %s' % (spec['file'], mj['generatedBy']))
    if fmt == 'tfjs' or fmt.startswith('tfjs_'):
        w = tfjs_weights(d, os.path.dirname(spec['file']))
        return {l['name']: [w[x['name']] for x in l['weights']] for l in m['layers'] if not l.get('nested_in')}
    if magic != HDF5_MAGIC:
        fail('%s is not HDF5' % spec['file'])
    f = h5py.File(path, 'r')
    if fmt == 'weights_only_h5':
        if 'model_weights' in f or 'model_config' in f.attrs:
            fail('weights-only file holds a model')
        with open(os.path.join(d, spec['architecture'])) as a:
            arch = json.load(a)
        if arch['class_name'] not in ('Sequential', 'Model'):
            fail('architecture class %s' % arch['class_name'])
        return h5_layer_weights(f, m, False, lambda l, n: n.endswith(':0') and n.startswith(l['name']) or
                                l['class_name'] in ('Sequential', 'Model'))
    config = json.loads(f.attrs['model_config'])
    version = f.attrs['keras_version']
    functional = config['class_name'] != 'Sequential'
    layers_cfg = config['config']['layers']
    if fmt == 'keras22_h5':
        if version != '2.2.4' or (functional and config['class_name'] != 'Model'):
            fail('not a Keras 2.2 file: %s %s' % (version, config['class_name']))
        if not functional and layers_cfg[0]['class_name'] == 'InputLayer':
            fail('Keras 2.2 Sequential with an InputLayer')
        return h5_layer_weights(f['model_weights'], m, False,
                                lambda l, n: n.endswith(':0') and '_cell' not in n)
    if fmt in ('tfkeras2_h5', 'hdf5_named_keras'):
        if not version.startswith('2.1') or (functional and config['class_name'] != 'Functional'):
            fail('not a tf.keras 2 file: %s %s' % (version, config['class_name']))
        if layers_cfg[0]['class_name'] != 'InputLayer':
            fail('tf.keras 2 config without an InputLayer first')
        if fmt == 'hdf5_named_keras' and not spec['file'].endswith('.keras'):
            fail('the HDF5 .keras file is not named .keras')

        def rule(layer, n):
            cell = layer['class_name'] in RNN or (layer['class_name'] == 'Bidirectional' and
                                                  re.search(r'_cell_\d+/', n))
            if layer['class_name'] in ('Sequential', 'Model'):
                return n.endswith(':0')
            return n.endswith(':0') and (bool(cell) == ('_cell' in n))
        return h5_layer_weights(f['model_weights'], m, True, rule)
    if fmt == 'keras3_legacy_h5':
        if not version.startswith('3.'):
            fail('keras_version %s' % version)
        return h5_layer_weights(f['model_weights'], m, True, lambda l, n: not n.endswith(':0') and '/' in n)
    fail('unknown format ' + fmt)


def check_format(root, m, fmt):
    d = os.path.join(root, m['name'])
    spec = m['formats'][fmt]
    got = format_weights(d, m, fmt, spec)
    # baseline: the TF.js file (written by tfjs itself) or else the first format
    base_fmt = 'tfjs' if 'tfjs' in m['formats'] else sorted(m['formats'])[0]
    base = got if base_fmt == fmt else format_weights(d, m, base_fmt, m['formats'][base_fmt])
    count = 0
    for layer in m['layers']:
        if layer.get('nested_in') or layer['class_name'] == 'InputLayer' and layer['name'] not in got:
            continue
        arrays = got.get(layer['name'])
        if arrays is None:
            fail('layer %s: no weights group' % layer['name'])
        shapes = [list(a.shape) for a in arrays]
        if shapes != [w['shape'] for w in layer['weights']]:
            fail('layer %s: shapes %s, manifest says %s' % (layer['name'], shapes, [w['shape'] for w in layer['weights']]))
        for a, b in zip(arrays, base[layer['name']]):
            if a.dtype != np.float32 or not np.array_equal(a, b):
                fail('layer %s: values differ from %s' % (layer['name'], base_fmt))
            count += 1
    print('%s %s: %d weights equal to %s' % (m['name'], fmt, count, base_fmt))


def check_quirks(root):
    """The corpus as a whole shows every quirk of keras-formats.md."""
    seen = set()
    for m in manifest(root)['models']:
        d = os.path.join(root, m['name'])
        for fmt, spec in m['formats'].items():
            path = os.path.join(d, spec['file'])
            if fmt.startswith('tfjs_'):
                seen.add('tfjs converted from Keras')
                continue
            if fmt == 'tfjs':
                mj = json.load(open(path))
                if len(mj['weightsManifest']) > 1:
                    seen.add('tfjs several groups')
                if any(len(g['paths']) > 1 for g in mj['weightsManifest']):
                    seen.add('tfjs several shards')
                if 'model_config' in mj['modelTopology']:
                    seen.add('tfjs wrapped model_config')
                for g in mj['weightsManifest']:
                    for w in g['weights']:
                        if 'quantization' in w:
                            seen.add('tfjs %s weights' % w['quantization']['dtype'])
                continue
            if fmt.startswith('keras3_zip'):
                continue
            if path.endswith('.keras'):
                seen.add('.keras-named HDF5')
            f = h5py.File(path, 'r')
            g = f if fmt == 'weights_only_h5' else f['model_weights']
            if 'layer_names0' in g.attrs:
                seen.add('split layer_names')
            if any('weight_names0' in g[n].attrs for n in str_list(g, 'layer_names')):
                seen.add('split weight_names')
            if attr_kind(g, 'layer_names') == 'fixed':
                seen.add('fixed-length strings')
        for layer in m['layers']:
            if layer['class_name'].startswith('CuDNN'):
                seen.add('CuDNN double bias')
        if 'keras3_zip' in m['formats'] and m['formats'].get('keras3_zip_deflated'):
            seen.add('stored and deflated zip')
    want = {'tfjs several groups', 'tfjs several shards', 'tfjs wrapped model_config', '.keras-named HDF5',
            'split layer_names', 'split weight_names', 'fixed-length strings', 'CuDNN double bias',
            'stored and deflated zip', 'tfjs converted from Keras', 'tfjs uint8 weights', 'tfjs uint16 weights', 'tfjs float16 weights'}
    if want - seen:
        fail('quirks not in the corpus: %s' % sorted(want - seen))
    print('quirks present: %s' % ', '.join(sorted(seen)))


# Real files (../shared/fixtures-wild) whose layout each format must reproduce.
WILD = {
    'keras22_h5': 'k2.3.1_seq_lstm_fixedlen_attrs.h5',
    'tfkeras2_h5': 'tfk2.13_seq_3lstm_relu.h5',
    'hdf5_named_keras': 'tfk2.10_seq_bilstm_hdf5_named_dot_keras.keras',
    'keras3_legacy_h5': 'k3.10_legacy_h5_gru_reset_after.h5',
    'weights_only_h5': 'k2.2.4_weights_only_embedding_lstm.h5',
    'keras3_zip': 'k3.15_zip_2gru_name_mismatch.keras',
}


def attr_sig(obj, name):
    if name not in obj.attrs and name + '0' not in obj.attrs:
        return None
    t = obj.attrs.get_id(name if name in obj.attrs else name + '0').get_type()
    if t.get_class() != h5py.h5t.STRING:
        return 'non-string'
    return ('vlen' if t.is_variable_str() else 'fixed', 'utf8' if t.get_cset() == h5py.h5t.CSET_UTF8 else 'ascii')


def h5_signature(path):
    """What a reader sees of a Keras HDF5 file, values aside."""
    f = h5py.File(path, 'r')
    g = f['model_weights'] if 'model_weights' in f else f
    sig = {'root ' + a: attr_sig(f, a) for a in ('keras_version', 'backend', 'model_config', 'layer_names')}
    sig.update({'weights ' + a: attr_sig(g, a) for a in ('keras_version', 'backend', 'layer_names')})
    sig['top_level_model_weights'] = 'top_level_model_weights' in g
    layers = str_list(g, 'layer_names')
    names = [n for layer in layers for n in str_list(g[layer], 'weight_names')]
    sig['weight_names'] = sorted({attr_sig(g[l], 'weight_names') for l in layers if str_list(g[l], 'weight_names')})
    sig[':0 suffix'] = all(n.endswith(':0') for n in names)
    empty = {attr_sig(g[l], 'weight_names') for l in layers if not str_list(g[l], 'weight_names')}
    if empty:  # compared only when both files have a weightless layer
        sig['empty weight_names type'] = sorted(empty)
    if 'model_config' in f.attrs:
        config = json.loads(f.attrs['model_config'])
        if config['class_name'] == 'Sequential':
            sig['Sequential InputLayer'] = config['config']['layers'][0]['class_name'] == 'InputLayer'
            sig['model name in paths'] = all(n.split('/')[0] == config['config']['name'] for n in names)
    return sig


def zip_signature(path):
    z = zipfile.ZipFile(path)
    f = h5py.File(io.BytesIO(z.read('model.weights.h5')), 'r')
    seen = []
    f.visit(seen.append)
    return {'entries': sorted(i.filename for i in z.infolist()),
            'compression': sorted({i.compress_type for i in z.infolist()}),
            # compile_config only when compiled (the real file was, ours are not)
            'config keys': sorted(set(json.loads(z.read('config.json'))) - {'compile_config'}),
            'metadata keys': sorted(json.loads(z.read('metadata.json'))),
            'root attrs': sorted(f.attrs),
            'vars name attr': attr_sig(f['vars'], 'name'),
            'rnn cell/vars': any(re.search(r'^layers/\w+/cell/vars/0$', n) for n in seen)}


def check_wild(root, wild):
    """Each format's files have the layout of the real file listed in WILD,
    compared on a model of the same kind (Sequential with an RNN)."""
    m = find_model(root, 'lstm_stack')
    for fmt, real in sorted(WILD.items()):
        ours = os.path.join(root, m['name'], m['formats'][fmt]['file'])
        theirs = os.path.join(wild, real)
        sig = zip_signature if fmt == 'keras3_zip' else h5_signature
        a, b = sig(ours), sig(theirs)
        keys = (set(a) | set(b)) - ({'empty weight_names type'} - (set(a) & set(b)))
        diff = {k: (a.get(k), b.get(k)) for k in keys if a.get(k) != b.get(k)}
        if diff:
            fail('%s differs from %s: %s' % (fmt, real, diff))
        print('%s: layout as in %s' % (fmt, real))
    # weightless layers: weight_names is an empty float64 array, as in the real weights-only file
    want = h5_signature(os.path.join(wild, WILD['weights_only_h5']))['empty weight_names type']
    for m in manifest(root)['models']:
        for fmt, spec in m['formats'].items():
            if fmt in WILD and fmt != 'keras3_zip':
                got = h5_signature(os.path.join(root, m['name'], spec['file'])).get('empty weight_names type', want)
                if got != want:
                    fail('%s %s: empty weight_names stored as %s, Keras: %s' % (m['name'], fmt, got, want))
    print('empty weight_names as Keras writes them: %s' % want)


def run_all(root):
    """Every check in one process (h5py starts slowly), reported per case."""
    cases = [('every quirk of keras-formats.md is in the corpus', check_quirks, (root,))]
    for m in manifest(root)['models']:
        cases.append(('%s: inputs and reference outputs load with the listed shapes' % m['name'],
                      check_model, (root, m)))
        for fmt in sorted(m['formats']):
            cases.append(('%s: %s layout and weights' % (m['name'], fmt), check_format, (root, m, fmt)))
    for what, fn, args in cases:
        out = io.StringIO()
        old, sys.stdout = sys.stdout, out
        try:
            fn(*args)
            result = 'ok\t%s' % what
        except (SystemExit, Exception) as e:  # noqa: B902 - any failure is one failed case
            result = 'not ok\t%s\t%s' % (what, e)
        finally:
            sys.stdout = old
        print(result.replace('\n', ' '))


def main(argv):
    root, cmd = argv[1], argv[2]
    if cmd == 'list':
        for m in manifest(root)['models']:
            for fmt in sorted(m['formats']):
                print(m['name'], fmt)
    elif cmd == 'model':
        check_model(root, find_model(root, argv[3]))
    elif cmd == 'format':
        check_format(root, find_model(root, argv[3]), argv[4])
    elif cmd == 'quirks':
        check_quirks(root)
    elif cmd == 'wild':
        check_wild(root, argv[3])
    elif cmd == 'all':
        run_all(root)
    else:
        fail('unknown command ' + cmd)


if __name__ == '__main__':
    try:
        main(sys.argv)
    except (OSError, KeyError, ValueError) as e:
        fail('%s: %s' % (type(e).__name__, e))
