#!/usr/bin/python3
"""Writes every reference model in the Keras file formats and the manifest.

    write_keras.py FIXTURES_DIR

Reads FIXTURES_DIR/<model>/meta.json and tfjs/model.json + shards (written by
generate.mjs), adds the NumPy reference models (numpy_refs.py), writes
FIXTURES_DIR/<model>/keras/* and FIXTURES_DIR/manifest.json (see README.md).
"""
import json
import os
import sys

import numpy as np

import kerasfmt
import numpy_refs

# format id -> (file name(s), writer)
FORMATS = {
    'keras22_h5': 'keras/k22.h5',
    'tfkeras2_h5': 'keras/tfk2.h5',
    'keras3_legacy_h5': 'keras/k3_legacy.h5',
    'weights_only_h5': 'keras/weights_only.h5',
    'keras3_zip': 'keras/k3.keras',
    'keras3_zip_deflated': 'keras/k3_deflated.keras',
    'hdf5_named_keras': 'keras/tfk210_hdf5.keras',
    # TF.js files the converter made from a Keras file: generatedBy "keras v<version>"
    'tfjs_keras23': 'tfjs_keras23/model.json',
    'tfjs_tfkeras2': 'tfjs_tfkeras2/model.json',
}
# the Keras version each converted TF.js format says it was made from
CONVERTED_FROM = {'tfjs_keras23': ('2.3.1', 'k22'), 'tfjs_tfkeras2': ('2.13.1', 'tfk2')}
KERAS2_ONLY = ['keras22_h5', 'tfkeras2_h5', 'weights_only_h5', 'hdf5_named_keras']
KERAS3_ONLY = ['keras3_legacy_h5', 'keras3_zip', 'keras3_zip_deflated']

# Which formats each TF.js model gets (all formats for the seed model).
PLAN = {
    'lstm_stack': list(FORMATS),
    'hard_sigmoid_k2': KERAS2_ONLY,
    'rnn_options': ['keras22_h5', 'tfkeras2_h5', 'keras3_zip'],
    'bidirectional': ['keras22_h5', 'tfkeras2_h5', 'keras3_legacy_h5', 'keras3_zip', 'hdf5_named_keras'],
    # ThresholdedReLU is gone from Keras 3: Keras 2 formats only
    'activations': ['keras22_h5', 'tfkeras2_h5', 'weights_only_h5'],
    'activations_k3': KERAS3_ONLY,
    'embed_norm': ['keras22_h5', 'weights_only_h5', 'keras3_zip'],
    'embed_mask': ['tfkeras2_h5', 'keras3_legacy_h5', 'keras3_zip'],
    'masking': ['keras22_h5', 'tfkeras2_h5', 'keras3_zip'],
    'conv_pool': ['keras22_h5', 'tfkeras2_h5', 'keras3_zip'],
    'shapes': ['keras22_h5', 'tfkeras2_h5', 'keras3_legacy_h5', 'keras3_zip'],
    # Keras 2.2 had no Rescaling (tf.keras 2.6 brought it)
    'rescaling': ['tfkeras2_h5', 'keras3_legacy_h5', 'keras3_zip'],
    'merge': ['keras22_h5', 'keras3_zip', 'weights_only_h5'],
    'functional_nested': ['keras22_h5', 'tfkeras2_h5', 'keras3_legacy_h5', 'keras3_zip', 'weights_only_h5'],
    'attention': ['keras22_h5', 'tfkeras2_h5', 'keras3_zip'],
    'seed_selfattention': list(FORMATS),
    'seed_weightedattention': ['keras22_h5', 'tfkeras2_h5', 'keras3_zip'],
    'quantized': ['keras22_h5', 'keras3_zip'],
    'keras_mha': ['tfkeras2_h5', 'keras3_legacy_h5', 'keras3_zip'],
    'stateful_timedistributed': list(FORMATS),
    'long_sequence': ['keras22_h5', 'keras3_zip'],
    'wide_units': ['keras22_h5'],
    # the writers whose masked steps are tfjs' (README "What it reads"); the others: VARIANTS
    'masked_rnn_writers': ['keras22_h5', 'weights_only_h5', 'tfjs_keras23'],
    'masked_initial_state': ['keras22_h5', 'weights_only_h5'],
    # built by tfjs, which cannot run them (NUMPY_OUTPUTS)
    'td_mask': [f for f in FORMATS if f != 'tfjs'],
    'td_mask_k2': ['keras22_h5', 'tfkeras2_h5', 'weights_only_h5', 'hdf5_named_keras', 'tfjs_keras23',
                   'tfjs_tfkeras2'],
    'td_mask_fixed_batch': ['keras22_h5', 'weights_only_h5', 'tfjs_keras23'],
    'residual_attention': list(FORMATS),
}
# TF.js-built models tfjs cannot run (generate.mjs `numpy: true`): the outputs NumPy computes
# from the TF.js file's weights and the inputs, {layer: output}; no TF.js format.
NUMPY_OUTPUTS = {'td_mask': numpy_refs.td_mask, 'td_mask_k2': numpy_refs.td_mask_k2,
                 'td_mask_fixed_batch': numpy_refs.td_mask_stepwise}
# A TF.js model's Keras files whose writer runs it otherwise than tfjs: the same model and
# weights under another name, with the outputs NumPy computes by that writer's rules.
# key -> [(variant name, formats, numpy_refs function(weights, inputs) -> {layer: output})]
VARIANTS = {
    'masked_rnn_writers': [('masked_rnn_writers_tfkeras',
                            ['tfkeras2_h5', 'hdf5_named_keras', 'keras3_legacy_h5', 'keras3_zip',
                             'keras3_zip_deflated', 'tfjs_tfkeras2'],
                            numpy_refs.masked_rnn_writers_tfkeras)],
    'masked_initial_state': [('masked_initial_state_keras23', ['tfkeras2_h5', 'hdf5_named_keras', 'tfjs_keras23',
                                                               'tfjs_tfkeras2'],
                              numpy_refs.masked_initial_state_keras23)],
    'td_mask_fixed_batch': [('td_mask_fixed_batch_tfkeras', ['tfkeras2_h5', 'hdf5_named_keras', 'keras3_legacy_h5',
                                                             'keras3_zip', 'keras3_zip_deflated', 'tfjs_tfkeras2'],
                             numpy_refs.td_mask_reshaped)],
}
# layer_names / weight_names split into name0, name1, ... (Keras does this past
# 64 KiB; a small limit forces it on a small model).
SPLIT_LIMIT = {'attention': 120, 'activations': 100}


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


def load_tfjs(model_dir):
    with open(os.path.join(model_dir, 'model.json')) as f:
        mj = json.load(f)
    topo = mj['modelTopology']
    config = topo.get('model_config', topo)
    weights = {}
    for group in mj['weightsManifest']:
        buf = b''.join(open(os.path.join(model_dir, p), 'rb').read() for p in group['paths'])
        offset = 0
        for spec in group['weights']:
            assert spec['dtype'] == 'float32'
            n = int(np.prod(spec['shape'], dtype=np.int64))
            weights[spec['name']], size = dequantize(buf, offset, n, spec)
            offset += size
        assert offset == len(buf), 'shard bytes left over'
    return {'class_name': config['class_name'], 'config': config['config']}, weights


def shapes_from_meta(meta):
    shapes = {}
    for inp in meta['inputs']:
        shapes[(inp['layer'], 0, 0)] = inp['shape'][1:]
    for layer in meta['layers']:
        for o in layer['outputs']:
            shapes[(layer['name'], o['node'], o['tensor'])] = o['shape'][1:]
    return shapes


def describe_layers(config, meta, weights):
    """Per top-level layer: weights as (keras-2.2 name, array) + wrapper info."""
    cfg_layers = config['config'] if isinstance(config['config'], list) else config['config']['layers']
    by_name = {c.get('name', c['config'].get('name')): c for c in cfg_layers}
    layers = []
    for entry in meta['layers']:
        if entry.get('nested_in'):
            continue
        cfg = by_name[entry['name']]
        layer = {'name': entry['name'], 'class_name': entry['class_name'],
                 'weights': [(w['name'], weights[w['name']]) for w in entry['weights']]}
        layer['keras_mha'] = kerasfmt.is_keras_mha(entry['class_name'], cfg['config'])
        inner = cfg['config'].get('layer')
        if isinstance(inner, dict):
            layer['inner_class'] = inner['class_name']
            layer['inner_name'] = inner['config']['name']
        if entry['class_name'] in ('Sequential', 'Model'):
            subs = []
            layer['inner_rnn'] = {}
            for sub in cfg['config']['layers']:
                sname = sub['config']['name']
                if sub['class_name'] in kerasfmt.RNN_CELLS:
                    layer['inner_rnn'][sname] = sub['class_name']
                subs.append({'name': sname, 'class_name': sub['class_name'],
                             'weights': [a for n, a in layer['weights'] if n.split('/')[0] == sname]})
            layer['sublayers'] = subs
        layers.append(layer)
    return layers


def write_converted_tfjs(model, tfjs_dir, path, fmt):
    """model.json as tensorflowjs_converter writes it from a Keras HDF5 file: the Keras
    config and version under modelTopology, generatedBy "keras v<version>"; the weights of
    the TF.js file (shards copied, names kept)."""
    version, flavor = CONVERTED_FROM[fmt]
    with open(os.path.join(tfjs_dir, 'model.json')) as f:
        src = json.load(f)
    out_dir = os.path.dirname(path)
    os.makedirs(out_dir, exist_ok=True)
    for group in src['weightsManifest']:
        for shard in group['paths']:
            with open(os.path.join(tfjs_dir, shard), 'rb') as a, open(os.path.join(out_dir, shard), 'wb') as b:
                b.write(a.read())
    topology = {'keras_version': version, 'backend': 'tensorflow',
                'model_config': kerasfmt.keras2_model_config(model, flavor)}
    converted = {'format': 'layers-model', 'generatedBy': 'keras v' + version,
                 'convertedBy': 'TensorFlow.js Converter v4.22.0', 'modelTopology': topology,
                 'weightsManifest': src['weightsManifest']}
    with open(path, 'w') as f:
        json.dump(converted, f)


def write_formats(model, model_dir, formats, tfjs_dir=None):
    os.makedirs(os.path.join(model_dir, 'keras'), exist_ok=True)
    written = {}
    for fmt in formats:
        path = os.path.join(model_dir, FORMATS[fmt])
        if fmt in CONVERTED_FROM:
            write_converted_tfjs(model, tfjs_dir or os.path.join(model_dir, 'tfjs'), path, fmt)
        elif fmt == 'keras22_h5':
            kerasfmt.write_h5_model(model, path, 'k22')
        elif fmt == 'tfkeras2_h5':
            kerasfmt.write_h5_model(model, path, 'tfk2')
        elif fmt == 'hdf5_named_keras':
            kerasfmt.write_h5_model(model, path, 'tfk210')
        elif fmt == 'keras3_legacy_h5':
            kerasfmt.write_h5_model(model, path, 'k3')
        elif fmt == 'weights_only_h5':
            arch = os.path.join(model_dir, 'keras/architecture.json')
            kerasfmt.write_weights_only(model, path, arch)
            written[fmt] = {'file': FORMATS[fmt], 'architecture': 'keras/architecture.json'}
            continue
        elif fmt == 'keras3_zip':
            kerasfmt.write_keras3_zip(model, path)
        elif fmt == 'keras3_zip_deflated':
            kerasfmt.write_keras3_zip(model, path, deflate=True)
        written[fmt] = {'file': FORMATS[fmt]}
    return written


def write_numpy_outputs(d, meta, outputs, weights):
    inputs = [np.load(os.path.join(d, i['file'])).astype(np.float64) for i in meta['inputs']]
    values = outputs({k: v.astype(np.float64) for k, v in weights.items()}, inputs)
    for layer in meta['layers']:
        for o in layer['outputs']:
            y = values[layer['name']].astype(np.float32)
            assert list(y.shape) == o['shape'], (meta['name'], layer['name'], y.shape, o['shape'])
            np.save(os.path.join(d, o['file']), y)


def write_variant(root, meta, name, outputs, weights):
    """The directory of a VARIANTS entry: the TF.js model's inputs, NumPy's outputs."""
    src, d = os.path.join(root, meta['name']), os.path.join(root, name)
    for sub in ('inputs', 'outputs'):
        os.makedirs(os.path.join(d, sub), exist_ok=True)
    for inp in meta['inputs']:
        np.save(os.path.join(d, inp['file']), np.load(os.path.join(src, inp['file'])))
    vmeta = dict(meta, name=name, source='numpy')
    write_numpy_outputs(d, vmeta, outputs, weights)
    return vmeta


def manifest_entry(meta, formats):
    return {
        'name': meta['name'],
        'source': meta['source'],
        'semantics': meta['semantics'],
        'batch': meta['batch'],
        'inputs': meta['inputs'],
        'model_outputs': meta['outputs'],
        'formats': formats,
        'layers': [{k: l[k] for k in ('name', 'class_name', 'nested_in', 'weights', 'outputs') if k in l}
                   for l in meta['layers']],
    }


def main(root):
    manifest = {'version': 1, 'tolerance': {'relative': 1e-5, 'rule': 'max|ours-ref| <= 1e-5*max(1,max|ref|)'},
                'models': []}
    keys = sorted(k for k in os.listdir(root) if os.path.isfile(os.path.join(root, k, 'meta.json')))
    for key in keys:
        model_dir = os.path.join(root, key)
        with open(os.path.join(model_dir, 'meta.json')) as f:
            meta = json.load(f)
        if meta['source'] != 'tfjs' and not meta.get('numpy_outputs'):
            continue
        config, weights = load_tfjs(os.path.join(model_dir, 'tfjs'))
        layers = describe_layers(config, meta, weights)
        model = kerasfmt.Model(key, meta['model_name'], config, layers, shapes_from_meta(meta),
                               SPLIT_LIMIT.get(key))
        plan = PLAN[key]
        # tfjs' hard_sigmoid is Keras 2's 0.2x+0.5; Keras 3 reads the name as x/6+0.5
        if 'hard_sigmoid' in json.dumps(config):
            assert meta['semantics'] == 'keras2', key + ': uses hard_sigmoid, say semantics keras2'
            assert not set(plan) & set(KERAS3_ONLY), key + ': hard_sigmoid differs in Keras 3'
        formats = {'tfjs': {'file': 'tfjs/model.json'}}
        if meta.get('numpy_outputs'):
            write_numpy_outputs(model_dir, meta, NUMPY_OUTPUTS[key], weights)
            formats = {}
        formats.update(write_formats(model, model_dir, plan))
        manifest['models'].append(manifest_entry(meta, formats))
        print('%s: %s' % (key, ', '.join(formats)))
        for name, plan, outputs in VARIANTS.get(key, []):
            vmeta = write_variant(root, meta, name, outputs, weights)
            vmodel = kerasfmt.Model(name, meta['model_name'], config, layers, shapes_from_meta(meta))
            formats = write_formats(vmodel, os.path.join(root, name), plan, os.path.join(model_dir, 'tfjs'))
            manifest['models'].append(manifest_entry(vmeta, formats))
            print('%s (numpy variant of %s): %s' % (name, key, ', '.join(formats)))
    for model, meta, plan in numpy_refs.build_all(root):
        formats = write_formats(model, os.path.join(root, meta['name']), plan)
        manifest['models'].append(manifest_entry(meta, formats))
        print('%s (numpy): %s' % (meta['name'], ', '.join(formats)))
    numpy_refs.cross_checks(root)
    with open(os.path.join(root, 'manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit('usage: write_keras.py FIXTURES_DIR')
    main(sys.argv[1])
