"""Writers for the Keras file formats, reproducing what Keras itself writes.

Input: a model description (see `Model` below): a Keras-2 style model config
(as TF.js writes it) and, per layer in model.layers order, the weights in Keras
order with their Keras-2.2 variable names (`lstm_1/kernel`, no `:0`).

Output layouts are those of the table "Formats" in tests/ref/README.md and were checked
against the real files of ../../shared/fixtures-wild (attribute string types and csets,
empty weight_names arrays, top_level_model_weights, zip entry layout).
Only Debian's python3-h5py and numpy are used.
"""
import copy
import io
import json
import re
import zipfile

import h5py
import numpy as np

HDF5_OBJECT_HEADER_LIMIT = 64512  # keras: saving/legacy/hdf5_format.py
RNN_CELLS = {'LSTM': 'lstm_cell', 'GRU': 'gru_cell', 'SimpleRNN': 'simple_rnn_cell'}
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
CUSTOM_MODULES = {  # keras-self-attention layers, as Keras 3 names their module
    'SeqSelfAttention': 'keras_self_attention.seq_self_attention',
    'SeqWeightedAttention': 'keras_self_attention.seq_weighted_attention',
    'ScaledDotProductAttention': 'keras_self_attention.scaled_dot_attention',
    'ResidualScaledDotProductAttention': 'keras_self_attention.real_former',
    'MultiHeadAttention': 'keras_multi_head.multi_head_attention',
}
K3_DATE = '2025-01-01@00:00:00'


# ---------------------------------------------------------------- strings ---

def vlen_str(cset):
    return h5py.string_dtype('utf-8' if cset == 'utf8' else 'ascii')


def set_scalar_str(obj, name, value, cset='ascii'):
    obj.attrs.create(name, value, dtype=vlen_str(cset))


def set_str_list(obj, name, values, fixed, limit=HDF5_OBJECT_HEADER_LIMIT):
    """Keras' save_attributes_to_hdf5_group: split into name0, name1, ... when
    the array would not fit in an object header.  `fixed` writes NUL-padded
    |S<n> arrays (Keras <= 2.3 with h5py 2), else vlen ASCII (tf.keras 2, Keras 3).
    An empty list is stored as an empty float64 array, as Keras' np.array([])."""
    if not values:
        obj.attrs.create(name, np.array([], dtype=np.float64))
        return
    if fixed:
        data = np.array([v.encode('utf8') for v in values])
    else:
        data = np.array(values, dtype=object)
    itemsize = data.dtype.itemsize if fixed else max(len(v) for v in values) + 1

    def fits(chunks):
        return all(len(c) * itemsize <= limit for c in chunks)

    n = 1
    chunks = np.array_split(data, n)
    while not fits(chunks) and n < len(values):
        n += 1
        chunks = np.array_split(data, n)
    parts = [(name, data)] if n == 1 else [('%s%d' % (name, i), c) for i, c in enumerate(chunks)]
    for key, chunk in parts:
        if fixed:
            obj.attrs.create(key, chunk)
        else:
            obj.attrs.create(key, chunk, dtype=vlen_str('ascii'))


# ------------------------------------------------------------------ model ---

class Model:
    """key, model_name, config ({class_name, config}, Keras-2/TF.js style),
    layers: [{name, class_name, weights: [(k22_name, ndarray)]}] in model.layers
    order (InputLayer included for Functional), shapes: {(layer, node, tensor):
    shape without batch} for Keras-3 tensor descriptions."""

    def __init__(self, key, model_name, config, layers, shapes, split_limit=None, keras3_version=None):
        self.keras3_version = keras3_version  # a Keras 3 version other than the writers' defaults
        self.key = key
        self.model_name = model_name
        self.config = config
        self.layers = layers
        self.shapes = shapes
        self.split_limit = split_limit or HDF5_OBJECT_HEADER_LIMIT

    @property
    def functional(self):
        return self.config['class_name'] != 'Sequential'

    def layer_cfgs(self):
        cfg = self.config['config']
        return cfg if isinstance(cfg, list) else cfg['layers']


def is_keras_mha(class_name, cfg):
    """Keras' MultiHeadAttention (num_heads) or keras-multi-head's (head_num)?"""
    return class_name == 'MultiHeadAttention' and 'num_heads' in cfg


KERAS_MHA_PARTS = ('query', 'key', 'value', 'attention_output')


def _keras_mha_node(node):
    """Keras 2 records mha(query, value, key) as one inbound tensor with the
    others in the call kwargs: [[q, 0, 0, {"value": [v, 0, 0], "key": [...]}]]."""
    first = list(node[0][:3])
    kwargs = {name: list(ref[:3]) for name, ref in zip(('value', 'key'), node[1:])}
    return [first + [kwargs]]


def camel(snake):
    return ''.join(p[:1].upper() + p[1:] for p in snake.split('_'))


def snake_case(name):
    """keras.src.utils.naming.to_snake_case"""
    name = re.sub(r'(.)([A-Z][a-z]+)', r'\1_\2', name)
    name = re.sub(r'([a-z])([A-Z])', r'\1_\2', name).lower()
    return name


# --------------------------------------------------- Keras 2 configs ---

def _fix_initializers(cfg, k3=False):
    for key, val in list(cfg.items()):
        if key.endswith('_initializer') and isinstance(val, dict):
            cls = camel(val['class_name']) if '_' in val['class_name'] or val['class_name'].islower() else val['class_name']
            new = {'class_name': cls, 'config': dict(val.get('config', {}))}
            if k3:
                new = {'module': 'keras.initializers', 'class_name': cls, 'config': new['config'],
                       'registered_name': None}
            cfg[key] = new


def keras2_layer_config(class_name, cfg, tf_keras, k3=False):
    """Layer config as Keras 2 (or, k3, Keras 3) writes it, from the TF.js one."""
    cfg = copy.deepcopy(cfg)
    _fix_initializers(cfg, k3)
    if k3:
        cfg['dtype'] = {'module': 'keras', 'class_name': 'DTypePolicy', 'config': {'name': 'float32'},
                        'registered_name': None}
    else:
        cfg.setdefault('dtype', 'float32')
    if class_name in ('LSTM', 'CuDNNLSTM') and cfg.get('unit_forget_bias') is None:
        cfg['unit_forget_bias'] = True
    if class_name in RNN_CELLS:
        if k3:
            cfg.pop('implementation', None)
            cfg.pop('time_major', None)
            cfg.setdefault('zero_output_for_mask', False)
            cfg.setdefault('seed', None)
        elif cfg.get('implementation') is None:
            cfg['implementation'] = 2 if tf_keras else 1
        if tf_keras and not k3:
            cfg.setdefault('time_major', False)
    if class_name == 'GRU':
        cfg.setdefault('reset_after', False)  # tf.keras / Keras 3 default True: say it
    if class_name == 'Reshape':
        # tfjs writes the -1 of target_shape as null; Keras writes -1
        cfg['target_shape'] = [-1 if v is None else v for v in cfg['target_shape']]
    if k3 and class_name == 'Embedding':
        cfg.pop('input_length', None)  # removed in Keras 3
    if k3 and class_name == 'LeakyReLU' and 'alpha' in cfg:
        cfg['negative_slope'] = cfg.pop('alpha')
    if class_name == 'SeqSelfAttention':
        cfg['attention_regularizer_weight'] = float(cfg.get('attention_regularizer_weight', 0.0))
    for wrapped in ('layer', 'backward_layer'):
        if isinstance(cfg.get(wrapped), dict):
            inner = cfg[wrapped]
            inner['config'] = keras2_layer_config(inner['class_name'], inner['config'], tf_keras, k3)
            if k3:
                cfg[wrapped] = {'module': 'keras.layers', 'class_name': inner['class_name'],
                                'config': inner['config'], 'registered_name': None}
    if class_name == 'Bidirectional' and k3 and 'backward_layer' not in cfg:
        fwd = cfg['layer']
        back = copy.deepcopy(fwd)
        back['config']['name'] = 'backward_' + fwd['config']['name']
        back['config']['go_backwards'] = not fwd['config'].get('go_backwards', False)
        cfg['backward_layer'] = back
    if class_name in ('Sequential', 'Model', 'Functional'):
        sub = cfg['layers']
        for layer in sub:
            layer['config'] = keras2_layer_config(layer['class_name'], layer['config'], tf_keras, k3)
    return cfg


def keras2_model_config(model, flavor):
    """flavor: 'k22' (Keras 2.2.4: class Model, no InputLayer in Sequential),
    'tfk2' (tf.keras 2.x: class Functional, explicit InputLayer)."""
    tf_keras = flavor == 'tfk2'
    top = copy.deepcopy(model.config)
    cfg = top['config']
    layers = cfg['layers']
    for layer in layers:
        layer['config'] = keras2_layer_config(layer['class_name'], layer['config'], tf_keras)
        if is_keras_mha(layer['class_name'], layer['config']) and 'inbound_nodes' in layer:
            layer['inbound_nodes'] = [_keras_mha_node(n) for n in layer['inbound_nodes']]
        if layer['class_name'] in ('Sequential', 'Model') and tf_keras:
            _add_input_layer(layer['config'])
            if layer['class_name'] == 'Model':
                layer['class_name'] = 'Functional'
    if top['class_name'] == 'Sequential':
        if tf_keras:
            _add_input_layer(cfg)
    else:
        top['class_name'] = 'Functional' if tf_keras else 'Model'
    return top


def _add_input_layer(seq_cfg):
    first = seq_cfg['layers'][0]
    if first['class_name'] == 'InputLayer':
        return
    shape = first['config']['batch_input_shape']
    seq_cfg['layers'].insert(0, {'class_name': 'InputLayer', 'config': {
        'batch_input_shape': shape, 'dtype': 'float32', 'sparse': False, 'ragged': False,
        'name': first['config']['name'] + '_input'}})


# --------------------------------------------------- Keras 3 configs ---

def _k3_tensor(model, ref):
    name, node, tensor = ref[0], ref[1], ref[2]
    shape = model.shapes[(name, node, tensor)]
    return {'class_name': '__keras_tensor__',
            'config': {'shape': [None] + list(shape), 'dtype': 'float32', 'keras_history': [name, node, tensor]}}


def _k3_layer_entry(model, layer, legacy, seq_input_shape=None):
    cls = layer['class_name']
    if cls in ('Sequential', 'Model'):
        inner = {'class_name': cls, 'config': layer['config']}
        entry = keras3_model_config(model, inner, legacy, nested=True)
    else:
        entry = {'class_name': cls, 'config': keras2_layer_config(cls, layer['config'], True, k3=True)}
        entry['config'].pop('batch_input_shape', None)
        if not legacy:
            custom = cls in CUSTOM_MODULES and not is_keras_mha(cls, layer['config'])
            module = CUSTOM_MODULES[cls] if custom else 'keras.layers'
            entry = {'module': module, 'class_name': cls, 'config': entry['config'],
                     'registered_name': cls if custom else None}
    if 'inbound_nodes' in layer:
        entry['name'] = layer['name']
        nodes = []
        for node in layer['inbound_nodes']:
            tensors = [_k3_tensor(model, ref) for ref in node]
            if is_keras_mha(cls, layer['config']):
                args = tensors  # mha(query, value, key): separate positional arguments
            else:
                args = [tensors[0]] if len(tensors) == 1 else [tensors]  # merge layers take a list
            nodes.append({'args': args, 'kwargs': {}})
        entry['inbound_nodes'] = nodes
        if not legacy and nodes:
            shapes = [[None] + list(model.shapes[(r[0], r[1], r[2])]) for r in layer['inbound_nodes'][0]]
            entry['build_config'] = {'input_shape': shapes[0] if len(shapes) == 1 else shapes}
    elif seq_input_shape is not None and not legacy:
        entry['build_config'] = {'input_shape': seq_input_shape}
    return entry


def keras3_model_config(model, top=None, legacy=False, nested=False):
    """Keras 3 config (config.json of .keras, or model_config of a legacy h5)."""
    top = copy.deepcopy(top or model.config)
    cfg = top['config']
    name = cfg['name']
    layers = []
    dtype = {'module': 'keras', 'class_name': 'DTypePolicy', 'config': {'name': 'float32'}, 'registered_name': None}
    if top['class_name'] == 'Sequential':
        first = cfg['layers'][0]['config']
        batch_shape = first['batch_input_shape']
        layers.append({'class_name': 'InputLayer', 'config': {
            'batch_shape': batch_shape, 'dtype': 'float32', 'sparse': False, 'ragged': False,
            'name': 'input_layer' if not nested else name + '_input'}})
        if not legacy:
            layers[-1] = {'module': 'keras.layers', **layers[-1], 'registered_name': None}
        prev = batch_shape
        for layer in cfg['layers']:
            layers.append(_k3_layer_entry(model, layer, legacy, prev))
            key = (layer['config']['name'], 0, 0)
            prev = [None] + list(model.shapes[key]) if key in model.shapes else prev
        out_cfg = {'name': name, 'trainable': True, 'dtype': dtype, 'layers': layers}
        if legacy:
            out_cfg['build_input_shape'] = batch_shape
        result = {'class_name': 'Sequential', 'config': out_cfg}
        if not legacy:
            result = {'module': 'keras', 'class_name': 'Sequential', 'config': out_cfg, 'registered_name': None,
                      'build_config': {'input_shape': batch_shape}}
    else:
        for layer in cfg['layers']:
            if layer['class_name'] == 'InputLayer':
                c = layer['config']
                entry = {'class_name': 'InputLayer', 'config': {
                    'batch_shape': c['batch_input_shape'], 'dtype': 'float32', 'sparse': False,
                    'ragged': False, 'name': c['name']}, 'name': layer['name'], 'inbound_nodes': []}
                if not legacy:
                    entry = {'module': 'keras.layers', **entry, 'registered_name': None}
                layers.append(entry)
            else:
                layers.append(_k3_layer_entry(model, layer, legacy))
        ins = [list(x) for x in cfg['input_layers']]
        outs = [list(x) for x in cfg['output_layers']]
        out_cfg = {'name': name, 'trainable': True, 'layers': layers,
                   # Keras 3 writes a bare triplet for a single input/output
                   'input_layers': ins[0] if len(ins) == 1 else ins,
                   'output_layers': outs[0] if len(outs) == 1 else outs}
        result = {'class_name': 'Functional', 'config': out_cfg}
        if not legacy:
            result = {'module': 'keras.src.models.functional', 'class_name': 'Functional', 'config': out_cfg,
                      'registered_name': 'Functional'}
    return result


# --------------------------------------------------- weight names ---

def tfk2_weight_names(layer, counters):
    """tf.keras 2 variable names: RNN cells get a scope (`lstm/lstm_cell/kernel:0`);
    inside Bidirectional the cell scope carries a per-model counter
    (`forward_lstm/lstm_cell_1`, `backward_lstm/lstm_cell_2`, next pair _3/_4)."""
    cls = layer['class_name']
    inner_cls = layer.get('inner_class')
    if cls == 'Bidirectional' and inner_cls in RNN_CELLS:
        cell = RNN_CELLS[inner_cls]
        base = counters.get(cell, 0)
        counters[cell] = base + 2
    names = []
    for k22, _ in layer['weights']:
        parts = k22.split('/')
        if cls in RNN_CELLS:
            parts = parts[:-1] + [RNN_CELLS[cls], parts[-1]]
        elif cls == 'Bidirectional' and inner_cls in RNN_CELLS:
            direction = 0 if parts[1].startswith('forward_') else 1
            parts = parts[:-1] + ['%s_%d' % (cell, base + 1 + direction), parts[-1]]
        elif parts[0] in layer.get('inner_rnn', {}):
            parts = parts[:-1] + [RNN_CELLS[layer['inner_rnn'][parts[0]]], parts[-1]]
        names.append('/'.join(parts) + ':0')
    return names


def k3_weight_names(model, layer):
    """Keras 3 variable paths: `<model>/<layer>/[<cell>/]<var>`, no `:0`."""
    cls = layer['class_name']
    names = []
    for k22, _ in layer['weights']:
        parts = k22.split('/')
        if cls in RNN_CELLS:
            parts = parts[:-1] + [RNN_CELLS[cls], parts[-1]]
        elif cls == 'Bidirectional' and layer.get('inner_class') in RNN_CELLS:
            parts = parts[:-1] + [RNN_CELLS[layer['inner_class']], parts[-1]]
        elif parts[0] in layer.get('inner_rnn', {}):
            parts = parts[:-1] + [RNN_CELLS[layer['inner_rnn'][parts[0]]], parts[-1]]
        if cls in ('Sequential', 'Model'):
            parts = [layer['name']] + parts
        else:
            parts = [model.model_name] + parts
        names.append('/'.join(parts))
    return names


# --------------------------------------------------- HDF5 full model ---

def _weight_layers(model):
    """Layers listed in layer_names: a Functional model's include its
    InputLayers; a Sequential model's only the real layers."""
    return [l for l in model.layers if l['class_name'] != 'InputLayer' or model.functional]


def _write_weight_groups(model, root, flavor, fixed):
    counters = {}
    layers = _weight_layers(model)
    set_str_list(root, 'layer_names', [l['name'] for l in layers], fixed, model.split_limit)
    for layer in layers:
        g = root.create_group(layer['name'])
        if flavor == 'k22':
            names = [n + ':0' for n, _ in layer['weights']]
        elif flavor == 'tfk2':
            names = tfk2_weight_names(layer, counters)
        else:
            names = k3_weight_names(model, layer)
        set_str_list(g, 'weight_names', names, fixed, model.split_limit)
        for name, (_, value) in zip(names, layer['weights']):
            g.create_dataset(name, data=np.asarray(value, dtype=np.float32))
    if flavor in ('tfk2', 'k3'):
        g = root.create_group('top_level_model_weights')
        set_str_list(g, 'weight_names', [], fixed)


VERSIONS = {'k22': '2.2.4', 'tfk2': '2.13.1', 'tfk210': '2.10.0', 'k3': '3.10.0'}


def write_h5_model(model, path, flavor):
    """Full-model HDF5 as model.save('x.h5') writes it.
    flavor: k22 (Keras 2.2.4), tfk2 (tf.keras 2.13), tfk210 (tf.keras 2.10,
    used for the `.keras`-named HDF5 file), k3 (Keras 3 legacy h5)."""
    wflavor = 'tfk2' if flavor == 'tfk210' else flavor
    version = VERSIONS[flavor]
    if flavor == 'k3' and model.keras3_version:
        version = model.keras3_version
    if flavor == 'k22':
        config = keras2_model_config(model, 'k22')
    elif flavor == 'k3':
        config = keras3_model_config(model, legacy=True)
    else:
        config = keras2_model_config(model, 'tfk2')
    root_cset = 'ascii' if flavor == 'k22' else 'utf8'
    with h5py.File(path, 'w', track_order=False) as f:
        set_scalar_str(f, 'keras_version', version, root_cset)
        set_scalar_str(f, 'backend', 'tensorflow', root_cset)
        set_scalar_str(f, 'model_config', json.dumps(config), 'ascii')
        mw = f.create_group('model_weights')
        set_scalar_str(mw, 'backend', 'tensorflow')
        set_scalar_str(mw, 'keras_version', version)
        _write_weight_groups(model, mw, wflavor, fixed=(flavor == 'k22'))


def write_weights_only(model, h5_path, json_path):
    """Keras 2.2.4 save_weights('w.h5') + model.to_json()."""
    with h5py.File(h5_path, 'w') as f:
        set_scalar_str(f, 'backend', 'tensorflow')
        set_scalar_str(f, 'keras_version', '2.2.4')
        _write_weight_groups(model, f, 'k22', fixed=True)
    config = keras2_model_config(model, 'k22')
    config['keras_version'] = '2.2.4'
    config['backend'] = 'tensorflow'
    with open(json_path, 'w') as out:
        json.dump(config, out)


# --------------------------------------------------- Keras 3 .keras ---

def _k3_vars(group, name, arrays):
    v = group.create_group('vars')
    set_scalar_str(v, 'name', name, 'utf8')
    for i, a in enumerate(arrays):
        v.create_dataset(str(i), data=np.asarray(a, dtype=np.float32))


def _k3_layer_group(parent, layer_name, cls, arrays, layer):
    """Weights of one layer under its saveable group (saving_lib._save_state)."""
    if cls in RNN_CELLS or cls in ('CuDNNLSTM', 'CuDNNGRU'):
        _k3_vars(parent, layer_name, [])
        cell = parent.create_group('cell')
        _k3_vars(cell, RNN_CELLS.get(cls, 'cell'), arrays)
    elif cls == 'Bidirectional':
        _k3_vars(parent, layer_name, [])
        half = len(arrays) // 2
        inner_cls = layer['inner_class']
        inner_name = layer['inner_name']
        for attr, part, prefix in (('forward_layer', arrays[:half], 'forward_'),
                                   ('backward_layer', arrays[half:], 'backward_')):
            g = parent.create_group(attr)
            _k3_layer_group(g, prefix + inner_name, inner_cls, part, layer)
    elif layer.get('keras_mha'):
        # EinsumDense sub-layers query_dense, key_dense, value_dense, output_dense
        _k3_vars(parent, layer_name, [])
        per = len(arrays) // 4
        for i, part in enumerate(('query_dense', 'key_dense', 'value_dense', 'output_dense')):
            _k3_vars(parent.create_group(part), KERAS_MHA_PARTS[i], arrays[i * per:(i + 1) * per])
    elif cls == 'TimeDistributed':
        _k3_vars(parent, layer_name, [])
        g = parent.create_group('layer')
        _k3_layer_group(g, layer['inner_name'], layer['inner_class'], arrays, layer)
    elif cls in ('Sequential', 'Model'):
        _k3_vars(parent, layer_name, [])
        layers_group = parent.create_group('layers')
        used = {}
        for sub in layer['sublayers']:
            group = layers_group.create_group(_k3_group_name(used, sub['class_name']))
            _k3_layer_group(group, sub['name'], sub['class_name'], sub['weights'], sub)
    else:
        _k3_vars(parent, layer_name, arrays)


def _k3_group_name(used, cls):
    name = snake_case(cls)
    if name in used:
        used[name] += 1
        return '%s_%d' % (name, used[name])
    used[name] = 0
    return name


def keras3_weights_h5(model):
    bio = io.BytesIO()
    with h5py.File(bio, 'w') as f:
        layers = f.create_group('layers')
        used = {}
        for layer in model.layers:
            if layer['class_name'] == 'InputLayer' and not model.functional:
                continue
            g = layers.create_group(_k3_group_name(used, layer['class_name']))
            _k3_layer_group(g, layer['name'], layer['class_name'], [a for _, a in layer['weights']], layer)
        _k3_vars(f, model.model_name, [])
    return bio.getvalue()


def write_keras3_zip(model, path, deflate=False):
    config = keras3_model_config(model)
    meta = {'keras_version': model.keras3_version or '3.4.1', 'date_saved': K3_DATE}
    comp = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
    with zipfile.ZipFile(path, 'w', compression=comp) as z:
        for name, data in (('metadata.json', json.dumps(meta).encode()),
                           ('config.json', json.dumps(config).encode()),
                           ('model.weights.h5', keras3_weights_h5(model))):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = comp
            z.writestr(info, data)
