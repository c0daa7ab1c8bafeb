"""A reader that is not digitnet's, for test/saving/keras.test.ts: Debian's h5py and numpy.

check-h5 FILE          asserts the groups, attributes, dtypes and shapes Keras's legacy loader reads
check-weights FILE     the same for Keras 3's weights layout (a .weights.h5, or a .keras zip's)
predict FILE INPUTS N  the model's outputs on N float32 rows in INPUTS, computed with numpy from the
                       file's own weights (written as float32 to stdout)
write-keras2 FILE      an MLP in Keras 2's layout (model_weights/<layer>/<layer>/kernel:0), written by h5py
write-keras3-legacy FILE   the same in Keras 3's legacy layout (model_weights/<layer>/<model>/<layer>/kernel)
Each prints JSON or raw floats; an assertion failure exits non-zero with its message.
"""
import io
import json
import sys
import zipfile

import h5py
import numpy as np


def text(value):
    return value.decode("utf8") if isinstance(value, bytes) else str(value)


def names(attribute):
    return [text(item) for item in attribute]


def check_h5(path):
    f = h5py.File(path, "r")
    for key in ("keras_version", "backend", "model_config"):
        assert key in f.attrs, f"root attribute {key} missing"
    config = json.loads(text(f.attrs["model_config"]))
    assert config["class_name"] == "Sequential", config["class_name"]
    layers = config["config"]["layers"]
    assert layers[0]["class_name"] == "InputLayer" and layers[0]["config"]["batch_input_shape"][0] is None
    if "training_config" in f.attrs:
        training = json.loads(text(f.attrs["training_config"]))
        assert "loss" in training and "optimizer_config" in training
        assert training["optimizer_config"]["class_name"] in ("Adam", "RMSprop", "SGD")
    weights = f["model_weights"]
    layer_names = names(weights.attrs["layer_names"])
    assert layer_names == [layer["config"]["name"] for layer in layers[1:]], layer_names
    count = 0
    for layer in layers[1:]:
        group = weights[layer["config"]["name"]]
        weight_names = names(group.attrs["weight_names"])
        if layer["class_name"] == "Dense":
            name = layer["config"]["name"]
            assert weight_names == [f"{name}/kernel:0", f"{name}/bias:0"], weight_names
            kernel, bias = group[weight_names[0]], group[weight_names[1]]
            assert kernel.dtype == np.float32 and bias.dtype == np.float32
            assert kernel.shape[1] == layer["config"]["units"] and bias.shape == (layer["config"]["units"],)
            count += 2
        else:
            assert weight_names == [], weight_names
    if "optimizer_weights" in f:
        optimizer_names = names(f["optimizer_weights"].attrs["weight_names"])
        assert optimizer_names[0] == "iteration:0"
        assert f["optimizer_weights"]["iteration:0"].dtype == np.int64
        for name in optimizer_names:
            assert name in f["optimizer_weights"], name
    print(json.dumps({"layers": layer_names, "weights": count, "keras_version": text(f.attrs["keras_version"])}))


def open_weights(path):
    if zipfile.is_zipfile(path):
        archive = zipfile.ZipFile(path)
        assert sorted(archive.namelist()) == ["config.json", "metadata.json", "model.weights.h5"], archive.namelist()
        config = json.loads(archive.read("config.json"))
        metadata = json.loads(archive.read("metadata.json"))
        assert "keras_version" in metadata and "date_saved" in metadata
        return h5py.File(io.BytesIO(archive.read("model.weights.h5")), "r"), config
    return h5py.File(path, "r"), None


def check_weights(path):
    f, config = open_weights(path)
    assert "vars" in f and "layers" in f
    layers = sorted(f["layers"].keys())
    summary = {"layers": layers, "optimizer": None}
    if config is not None:
        for key in ("module", "class_name", "config", "registered_name", "build_config"):
            assert key in config, f"config.json lacks {key}"
        for layer in config["config"]["layers"]:
            for key in ("module", "class_name", "config", "registered_name"):
                assert key in layer, f"layer lacks {key}"
        counts = {}
        for layer in config["config"]["layers"][1:]:
            base = {"Dense": "dense", "Dropout": "dropout", "Flatten": "flatten", "Activation": "activation"}[layer["class_name"]]
            number = counts.get(base, -1) + 1
            counts[base] = number
            path_name = base if number == 0 else f"{base}_{number}"
            variables = f["layers"][path_name]["vars"]
            if layer["class_name"] == "Dense":
                kernel, bias = variables["0"], variables["1"]
                assert kernel.dtype == np.float32 and kernel.shape[1] == layer["config"]["units"]
                assert bias.shape == (layer["config"]["units"],)
                assert layer["build_config"]["input_shape"] == [None, kernel.shape[0]]
            else:
                assert len(variables) == 0
        if "compile_config" in config and "optimizer" in f:
            variables = f["optimizer"]["vars"]
            assert variables["0"].dtype == np.int64 and variables["0"].shape == ()
            assert variables["1"].dtype == np.float32 and variables["1"].shape == ()
            summary["optimizer"] = {"count": len(variables), "iterations": int(variables["0"][()])}
    print(json.dumps(summary))


def dense_layers(path):
    """(kernel, bias, activation) for each Dense layer, read the way Keras's loaders find them."""
    if zipfile.is_zipfile(path):
        f, config = open_weights(path)
        result, counts = [], {}
        for layer in config["config"]["layers"]:
            if layer["class_name"] == "InputLayer":
                continue
            base = layer["class_name"].lower()
            number = counts.get(base, -1) + 1
            counts[base] = number
            if layer["class_name"] == "Dense":
                variables = f["layers"][base if number == 0 else f"{base}_{number}"]["vars"]
                result.append((variables["0"][()], variables["1"][()], layer["config"]["activation"]))
        return result
    f = h5py.File(path, "r")
    config = json.loads(text(f.attrs["model_config"]))
    weights = f["model_weights"]
    result = []
    for layer in config["config"]["layers"]:
        if layer["class_name"] != "Dense":
            continue
        group = weights[layer["config"]["name"]]
        weight_names = names(group.attrs["weight_names"])
        result.append((group[weight_names[0]][()], group[weight_names[1]][()], layer["config"]["activation"]))
    return result


def predict(path, inputs, count):
    layers = dense_layers(path)
    x = np.fromfile(inputs, dtype=np.float32).astype(np.float64).reshape(int(count), -1)
    for kernel, bias, activation in layers:
        x = x @ kernel.astype(np.float64) + bias.astype(np.float64)
        if activation == "relu":
            x = np.maximum(x, 0)
        elif activation == "softmax":
            x = np.exp(x - x.max(axis=1, keepdims=True))
            x = x / x.sum(axis=1, keepdims=True)
        elif activation == "tanh":
            x = np.tanh(x)
        elif activation == "sigmoid":
            x = 1 / (1 + np.exp(-x))
    sys.stdout.buffer.write(x.astype(np.float32).tobytes())


def write_mlp(path, keras3):
    rng = np.random.default_rng(7)
    sizes = [(784, 16, "relu"), (16, 10, "softmax")]
    layers = [{"class_name": "Dense", "config": {"name": f"dense_{i + 1}", "units": units, "activation": activation, "use_bias": True}}
              for i, (_, units, activation) in enumerate(sizes)]
    layers.insert(1, {"class_name": "Dropout", "config": {"name": "dropout", "rate": 0.2}})
    if keras3:
        layers.insert(0, {"class_name": "InputLayer", "config": {"batch_shape": [None, 28, 28, 1], "name": "input_layer"}})
        layers.insert(1, {"class_name": "Flatten", "config": {"name": "flatten"}})
    model = {"class_name": "Sequential", "config": {"name": "sequential", "layers": layers}}
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = "3.6.0" if keras3 else "2.4.0"
        f.attrs["backend"] = "tensorflow"
        f.attrs["model_config"] = json.dumps(model)
        f.attrs["training_config"] = json.dumps({"loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"],
                                                  "optimizer_config": {"class_name": "Adam", "config": {"learning_rate": 0.001}}})
        weights = f.create_group("model_weights")
        weights.attrs["layer_names"] = np.array([layer["config"]["name"].encode("utf8") for layer in layers if layer["class_name"] != "InputLayer"])
        for layer in layers:
            if layer["class_name"] == "InputLayer":
                continue
            name = layer["config"]["name"]
            group = weights.create_group(name)
            if layer["class_name"] != "Dense":
                group.attrs["weight_names"] = np.array([], dtype=np.float64)
                continue
            rows = sizes[int(name[-1]) - 1][0]
            units = layer["config"]["units"]
            stored = [f"sequential/{name}/kernel", f"sequential/{name}/bias"] if keras3 else [f"{name}/kernel:0", f"{name}/bias:0"]
            group.attrs["weight_names"] = np.array([item.encode("utf8") for item in stored])
            group.create_dataset(stored[0], data=rng.standard_normal((rows, units)).astype(np.float32) * 0.1)
            group.create_dataset(stored[1], data=rng.standard_normal(units).astype(np.float32) * 0.1)


if __name__ == "__main__":
    command, *arguments = sys.argv[1:]
    {"check-h5": check_h5, "check-weights": check_weights, "predict": predict,
     "write-keras2": lambda path: write_mlp(path, False), "write-keras3-legacy": lambda path: write_mlp(path, True)}[command](*arguments)
