#!/usr/bin/python3
"""Compiled copies of the BCE models' Keras files (issue 17): the loss a model was compiled with,
as Keras saves it, for `rnnscope grad --labels` to read.
    /usr/bin/python3 grad_compiled.py FIXTURES_DIR
writes <model>/grads/compiled/
    k22.h5      keras/k22.h5 + training_config {"loss": "binary_crossentropy", ...} (Keras 2.2)
    k3.keras    keras/k3.keras + compile_config {"loss": "binary_crossentropy"} (Keras 3)
"""
import json
import os
import shutil
import sys
import zipfile

import h5py

BCE_MODELS = ['seed_selfattention']
ZIP_DATE = (2024, 1, 1, 0, 0, 0)

K22_TRAINING = {"optimizer_config": {"class_name": "Adam", "config": {"lr": 0.001}},
                "loss": "binary_crossentropy", "metrics": ["accuracy"],
                "sample_weight_mode": None, "loss_weights": None}
K3_COMPILE = {"optimizer": "adam", "loss": "binary_crossentropy", "loss_weights": None,
              "metrics": None, "weighted_metrics": None, "run_eagerly": False,
              "steps_per_execution": 1, "jit_compile": False}


def compiled_h5(src, dst, training):
    shutil.copyfile(src, dst)
    with h5py.File(dst, 'r+') as f:
        f.attrs['training_config'] = json.dumps(training).encode('ascii')


def compiled_keras3(src, dst):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, 'w') as zout:
        for name in zin.namelist():
            data = zin.read(name)
            if name == 'config.json':
                config = json.loads(data)
                config['compile_config'] = K3_COMPILE
                data = json.dumps(config).encode()
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            zout.writestr(info, data)


def main(root):
    for name in BCE_MODELS:
        keras = os.path.join(root, name, 'keras')
        out = os.path.join(root, name, 'grads', 'compiled')
        os.makedirs(out, exist_ok=True)
        compiled_h5(os.path.join(keras, 'k22.h5'), os.path.join(out, 'k22.h5'), K22_TRAINING)
        compiled_keras3(os.path.join(keras, 'k3.keras'), os.path.join(out, 'k3.keras'))


if __name__ == '__main__':
    main(sys.argv[1])
