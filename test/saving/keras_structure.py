"""What Keras's own loaders look for in a file, checked with Debian's h5py (keras-structure.test.ts).

The rules follow keras/src/saving/saving_lib.py (the .keras zip and H5IOStore: layers/<path>/vars/<i>,
optimizer/vars/<i>, a `name` attribute on each vars group, the model's own /vars) and
keras/src/legacy/saving/legacy_h5_format.py (root attributes, model_weights with layer_names,
backend and keras_version, per-layer weight_names, top_level_model_weights, optimizer_weights).

keras FILE [REAL]   a .keras file; with REAL (a .keras file Keras wrote for the same network), the
                    zip entries, config.json's keys at every level and every HDF5 group, dataset,
                    dtype, shape and attribute must be the same as REAL's
weights FILE        a Keras 3 .weights.h5
h5 FILE             a legacy whole-model .h5
legacy-weights FILE a legacy weights-only .h5 (save_weights to .h5)
Prints a JSON summary; a failed check exits non-zero with its message.
"""
import io
import json
import re
import sys
import zipfile

import h5py
import numpy as np

KERAS_ENTRIES = ["config.json", "metadata.json", "model.weights.h5"]
# Keras 3 names a layer's weights folder after its class, numbered per class (saving_lib's paths).
PATH_BASE = {"Dense": "dense", "Dropout": "dropout", "Flatten": "flatten", "Activation": "activation"}
# Variables per model weight after iteration and learning_rate (keras/src/optimizers/*.py build()).
SLOTS = {"Adam": 2, "SGD": 0, "RMSprop": 1}


def text(value):
    return value.decode("utf8") if isinstance(value, bytes) else str(value)


def string_attribute(obj, name):
    assert name in obj.attrs, f"{obj.name} has no attribute {name}"
    assert h5py.check_string_dtype(obj.attrs.get_id(name).dtype) is not None, f"{obj.name} attribute {name} is not a string"
    return text(obj.attrs[name])


def string_list(obj, name):
    assert name in obj.attrs, f"{obj.name} has no attribute {name}"
    values = obj.attrs[name]
    if len(values) == 0:
        return []
    return [text(item) for item in values]


def structure(f):
    """Every object of an HDF5 file: path -> (kind, shape, dtype, {attribute: type})."""
    items = {"/": ("group", None, None, sorted(f.attrs.keys()))}

    def visit(name, obj):
        attributes = sorted(obj.attrs.keys())
        if isinstance(obj, h5py.Dataset):
            items[name] = ("dataset", list(obj.shape), str(obj.dtype), attributes)
        else:
            items[name] = ("group", None, None, attributes)

    f.visititems(visit)
    return items


def keys_shape(value):
    """config.json's keys at every level (values' types where they are not containers)."""
    if isinstance(value, dict):
        return {key: keys_shape(item) for key, item in value.items() if key != "shared_object_id"}
    if isinstance(value, list):
        return [keys_shape(item) for item in value]
    return type(value).__name__ if value is not None else None


def open_keras(path):
    archive = zipfile.ZipFile(path)
    assert sorted(archive.namelist()) == KERAS_ENTRIES, archive.namelist()
    for info in archive.infolist():
        assert info.compress_type == zipfile.ZIP_STORED, f"{info.filename} is compressed; Keras stores entries"
    metadata = json.loads(archive.read("metadata.json"))
    assert sorted(metadata) == ["date_saved", "keras_version"], sorted(metadata)
    assert re.fullmatch(r"3\.\d+\.\d+", metadata["keras_version"]), metadata["keras_version"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d", metadata["date_saved"]), metadata["date_saved"]
    config = json.loads(archive.read("config.json"))
    weights = h5py.File(io.BytesIO(archive.read("model.weights.h5")), "r")
    return archive, config, weights


def check_serialized(obj, where):
    for key in ("module", "class_name", "config", "registered_name"):
        assert key in obj, f"{where} lacks {key}"


def check_keras_weights(f, layers, model_name, compile_config):
    """The weights store as saving_lib's H5IOStore writes it; returns the variables' shapes."""
    assert string_attribute(f["vars"], "name") == model_name
    assert len(f["vars"]) == 0, "the Sequential model has no variables of its own"
    counts, shapes, paths = {}, [], []
    for layer in layers:
        if layer["class_name"] == "InputLayer":
            continue
        base = PATH_BASE[layer["class_name"]]
        number = counts.get(base, -1) + 1
        counts[base] = number
        path = base if number == 0 else f"{base}_{number}"
        paths.append(path)
        variables = f["layers"][path]["vars"]
        assert string_attribute(variables, "name") == layer["config"]["name"], path
        if layer["class_name"] == "Dense":
            units = layer["config"]["units"]
            assert sorted(variables.keys()) == ["0", "1"], list(variables.keys())
            kernel, bias = variables["0"], variables["1"]
            assert kernel.dtype == np.float32 and bias.dtype == np.float32, path
            assert kernel.ndim == 2 and kernel.shape[1] == units and bias.shape == (units,), path
            if "build_config" in layer:
                assert layer["build_config"]["input_shape"] == [None, kernel.shape[0]], layer["build_config"]
            shapes += [kernel.shape, bias.shape]
        else:
            assert len(variables) == 0, f"{path} holds variables"
    assert sorted(f["layers"].keys()) == sorted(paths), (sorted(f["layers"].keys()), paths)
    optimizer = None
    if "optimizer" in f:
        assert compile_config is not None, "optimizer variables without a compile_config"
        variables = f["optimizer"]["vars"]
        name = compile_config["optimizer"]["config"]["name"]
        assert string_attribute(variables, "name") == name
        class_name = compile_config["optimizer"]["class_name"]
        slots = SLOTS[class_name]
        if class_name in ("SGD", "RMSprop") and compile_config["optimizer"]["config"].get("momentum", 0) > 0:
            slots += 1
        assert len(variables) == 2 + slots * len(shapes), f"{len(variables)} optimizer variables for {len(shapes)} weights with {class_name}"
        assert sorted(variables.keys(), key=int) == [str(i) for i in range(len(variables))]
        assert variables["0"].dtype == np.int64 and variables["0"].shape == (), "iterations"
        assert variables["1"].dtype == np.float32 and variables["1"].shape == (), "learning_rate"
        # The order the optimizers' build() creates them in: Adam asks add_optimizer_variables for
        # ["momentum", "velocity"] at once, so they alternate weight by weight; RMSprop asks for all
        # velocities, then all momentums (optimizers/adam.py, rmsprop.py, base_optimizer.py).
        interleaved = class_name == "Adam"
        for index, shape in enumerate(shapes):
            for slot in range(slots):
                position = 2 + (index * slots + slot if interleaved else slot * len(shapes) + index)
                stored = variables[str(position)]
                assert stored.dtype == np.float32 and stored.shape == shape, (position, stored.shape, shape)
        optimizer = {"class_name": class_name, "variables": len(variables), "iterations": int(variables["0"][()])}
    return {"layers": paths, "weights": len(shapes), "optimizer": optimizer}


def check_keras(path, real=None):
    archive, config, f = open_keras(path)
    check_serialized(config, "config.json")
    assert config["module"] == "keras" and config["class_name"] == "Sequential", (config["module"], config["class_name"])
    assert config["build_config"]["input_shape"][0] is None, config["build_config"]
    layers = config["config"]["layers"]
    assert layers[0]["class_name"] == "InputLayer" and layers[0]["config"]["batch_shape"][0] is None, layers[0]
    for layer in layers:
        check_serialized(layer, layer["config"].get("name"))
        assert layer["module"] == "keras.layers", layer["module"]
        # Only layers with their own build() record a build_config (layers/layer.py get_build_config):
        # Dense does; Dropout, Flatten and Activation are built when constructed.
        if layer["class_name"] == "Dense":
            assert "build_config" in layer, f"{layer['config']['name']} lacks build_config"
        elif layer["class_name"] != "InputLayer":
            assert "build_config" not in layer, f"{layer['config']['name']} has a build_config, which Keras never writes for {layer['class_name']}"
    compile_config = config.get("compile_config")
    if compile_config is not None:
        for key in ("optimizer", "loss", "loss_weights", "metrics", "weighted_metrics", "run_eagerly", "steps_per_execution", "jit_compile"):
            assert key in compile_config, f"compile_config lacks {key}"
        check_serialized(compile_config["optimizer"], "compile_config.optimizer")
        assert compile_config["optimizer"]["module"] == "keras.optimizers"
    summary = check_keras_weights(f, layers, config["config"]["name"], compile_config)
    if real is not None:
        real_archive, real_config, real_f = open_keras(real)
        assert [i.filename for i in archive.infolist()] == [i.filename for i in real_archive.infolist()], "zip entry order"
        assert keys_shape(config) == keys_shape(real_config), "config.json differs in keys or value types from the file Keras wrote"
        ours, theirs = structure(f), structure(real_f)
        assert ours == theirs, {"only ours": {k: v for k, v in ours.items() if theirs.get(k) != v}, "only Keras's": {k: v for k, v in theirs.items() if ours.get(k) != v}}
        summary["matches"] = real
    print(json.dumps(summary))


def check_weights(path):
    f = h5py.File(path, "r")
    assert sorted(f.keys()) == ["layers", "vars"], f"{sorted(f.keys())}: a .weights.h5 holds no optimizer"
    assert len(f.attrs) == 0, "Keras writes no root attributes in a .weights.h5"
    assert len(f["vars"]) == 0
    for path_name in f["layers"]:
        variables = f["layers"][path_name]["vars"]
        string_attribute(variables, "name")
        if re.sub(r"_\d+$", "", path_name) == "dense":
            kernel, bias = variables["0"], variables["1"]
            assert kernel.dtype == np.float32 and bias.dtype == np.float32 and kernel.ndim == 2 and bias.shape == (kernel.shape[1],), path_name
        else:
            assert len(variables) == 0, path_name
    print(json.dumps({"layers": sorted(f["layers"].keys()), "vars": string_attribute(f["vars"], "name")}))


def check_legacy_group(group, layer_configs):
    """save_weights_to_hdf5_group's layout; returns the weights' shapes in model order."""
    assert string_attribute(group, "backend") == "tensorflow"
    assert re.fullmatch(r"\d+\.\d+\.\d+", string_attribute(group, "keras_version"))
    layer_names = string_list(group, "layer_names")
    assert layer_names == [layer["config"]["name"] for layer in layer_configs], (layer_names, [layer["config"]["name"] for layer in layer_configs])
    assert string_list(group["top_level_model_weights"], "weight_names") == []
    assert sorted(group.keys()) == sorted(layer_names + ["top_level_model_weights"]), sorted(group.keys())
    shapes = []
    for layer in layer_configs:
        name = layer["config"]["name"]
        weight_names = string_list(group[name], "weight_names")
        if layer["class_name"] == "Dense":
            assert weight_names == [f"{name}/kernel:0", f"{name}/bias:0"], weight_names
            kernel, bias = group[name][weight_names[0]], group[name][weight_names[1]]
            units = layer["config"]["units"]
            assert kernel.dtype == np.float32 and bias.dtype == np.float32
            assert kernel.ndim == 2 and kernel.shape[1] == units and bias.shape == (units,)
            shapes += [(f"{name}/kernel", kernel.shape), (f"{name}/bias", bias.shape)]
        else:
            assert weight_names == [], weight_names
    return shapes


def check_h5(path):
    f = h5py.File(path, "r")
    for key in ("keras_version", "backend", "model_config"):
        string_attribute(f, key)
    config = json.loads(string_attribute(f, "model_config"))
    assert config["class_name"] == "Sequential", config["class_name"]
    layers = config["config"]["layers"]
    assert layers[0]["class_name"] == "InputLayer" and layers[0]["config"]["batch_input_shape"][0] is None, layers[0]
    for layer in layers:
        assert sorted(layer) == ["class_name", "config"], sorted(layer)
    shapes = check_legacy_group(f["model_weights"], layers[1:])
    optimizer = None
    if "training_config" in f.attrs:
        training = json.loads(string_attribute(f, "training_config"))
        for key in ("loss", "metrics", "weighted_metrics", "loss_weights", "optimizer_config"):
            assert key in training, f"training_config lacks {key}"
        optimizer_config = training["optimizer_config"]
        assert sorted(optimizer_config) == ["class_name", "config"], sorted(optimizer_config)
        class_name = optimizer_config["class_name"]
        if "optimizer_weights" in f:
            group = f["optimizer_weights"]
            names = string_list(group, "weight_names")
            assert names[0] == "iteration:0" and group["iteration:0"].dtype == np.int64 and group["iteration:0"].shape == ()
            # Keras 2.15's build(): Adam's m and v weight by weight; RMSprop's velocities, then its
            # momentums; SGD's momentum is named m (keras/optimizers/*.py at v2.15.0).
            momentum = optimizer_config["config"].get("momentum", 0) > 0
            slots = {"Adam": ["m", "v"], "RMSprop": ["velocity"] + (["momentum"] if momentum else []), "SGD": ["m"] if momentum else []}[class_name]
            if class_name == "Adam":
                expected = ["iteration:0"] + [f"{class_name}/{slot}/{weight}:0" for weight, _ in shapes for slot in slots]
            else:
                expected = ["iteration:0"] + [f"{class_name}/{slot}/{weight}:0" for slot in slots for weight, _ in shapes]
            assert names == expected, (names, expected)
            for weight, shape in shapes:
                for slot in slots:
                    stored = group[f"{class_name}/{slot}/{weight}:0"]
                    assert stored.dtype == np.float32 and stored.shape == shape
            optimizer = {"class_name": class_name, "variables": len(names)}
    print(json.dumps({"layers": string_list(f["model_weights"], "layer_names"), "weights": len(shapes), "optimizer": optimizer}))


def check_legacy_weights(path):
    f = h5py.File(path, "r")
    assert "model_config" not in f.attrs
    names = string_list(f, "layer_names")
    layers = []
    for name in names:
        weight_names = string_list(f[name], "weight_names")
        if weight_names:
            layers.append({"class_name": "Dense", "config": {"name": name, "units": f[name][weight_names[0]].shape[1]}})
        else:
            layers.append({"class_name": "Other", "config": {"name": name}})
    shapes = check_legacy_group(f, layers)
    print(json.dumps({"layers": names, "weights": len(shapes)}))


if __name__ == "__main__":
    command, *arguments = sys.argv[1:]
    {"keras": check_keras, "weights": check_weights, "h5": check_h5, "legacy-weights": check_legacy_weights}[command](*arguments)
