#!/usr/bin/env python3
"""The other half of bench/parity.ts: trains a dense ReLU/softmax network from given initial weights
on the first STEPS × BATCH MNIST training images, in order, with Keras's optimizer formulas written
out, in float64 PyTorch autograd, and writes the final weights as float32 in Keras's order.

    /usr/bin/python3 bench/peers/pytorch_steps.py WIDTHS OPTIMIZER STEPS BATCH DATA_DIR IN OUT

WIDTHS is the layer widths joined by '-' (784-512-256-10); OPTIMIZER is rmsprop or adam with
Keras's defaults; IN and OUT hold the kernels [in, out] and biases, layer by layer, flat float32.
"""
import sys

import numpy as np
import torch

widths = [int(width) for width in sys.argv[1].split("-")]
optimizer, steps, batch = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
data_dir, weights_in, weights_out = sys.argv[5], sys.argv[6], sys.argv[7]

count = steps * batch
images = np.fromfile(f"{data_dir}/train-images-idx3-ubyte", dtype=np.uint8, offset=16)
x = torch.from_numpy(images.reshape(-1, widths[0])[:count].astype(np.float64) / 255)
labels = np.fromfile(f"{data_dir}/train-labels-idx1-ubyte", dtype=np.uint8, offset=8)
y = torch.from_numpy(labels[:count].astype(np.int64))

shapes = [shape for fan_in, fan_out in zip(widths, widths[1:]) for shape in ((fan_in, fan_out), (fan_out,))]
flat = np.fromfile(weights_in, dtype=np.float32)
weights, offset = [], 0
for shape in shapes:
    size = int(np.prod(shape))
    weights.append(torch.from_numpy(flat[offset:offset + size].reshape(shape).astype(np.float64)).requires_grad_())
    offset += size
first = [torch.zeros_like(weight) for weight in weights]
second = [torch.zeros_like(weight) for weight in weights]

for step in range(1, steps + 1):
    activations = x[(step - 1) * batch:step * batch]
    for layer in range(0, len(weights), 2):
        activations = activations @ weights[layer] + weights[layer + 1]
        if layer + 2 < len(weights):
            activations = torch.relu(activations)
    loss = torch.nn.functional.cross_entropy(activations, y[(step - 1) * batch:step * batch])
    for weight in weights:
        weight.grad = None
    loss.backward()
    with torch.no_grad():
        for weight, m, v in zip(weights, first, second):
            gradient = weight.grad
            if optimizer == "rmsprop":  # Keras 3: v = rho v + (1 - rho) g²; w -= lr g / sqrt(v + eps)
                v.mul_(0.9).add_(0.1 * gradient * gradient)
                weight.sub_(1e-3 * gradient / (v + 1e-7).sqrt())
            else:  # Keras 3 Adam: w -= lr √(1 - β2ᵗ) / (1 - β1ᵗ) · m / (√v + ε)
                m.mul_(0.9).add_(0.1 * gradient)
                v.mul_(0.999).add_(0.001 * gradient * gradient)
                alpha = 1e-3 * (1 - 0.999 ** step) ** 0.5 / (1 - 0.9 ** step)
                weight.sub_(alpha * m / (v.sqrt() + 1e-7))

np.concatenate([weight.detach().numpy().astype(np.float32).ravel() for weight in weights]).tofile(weights_out)
