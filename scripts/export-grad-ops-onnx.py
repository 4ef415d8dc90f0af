"""Exports small PyTorch networks whose ONNX graphs use Slice (unit and strided steps), Gather
(constant indices with repeats, and a scalar index) and Resize (nearest, bilinear half-pixel,
bilinear align_corners), for the onnxruntime engine's backward-rule tests
(test/engine/ort-slice-gather-resize.test.ts). Random weights from a fixed seed; nothing downloaded.

Run: /usr/bin/python3 scripts/export-grad-ops-onnx.py   (Debian: apt-get install python3-torch)
Writes test/models/onnx/ops-grad/{slice-gather,resize}.onnx (opset 13), input `input` [batch, 2, 6, 6].
"""
import os

import torch
from torch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'test', 'models', 'onnx', 'ops-grad')


class SliceGather(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 3, 3, padding=1)
        self.fc = nn.Linear(3 * 4 * 5 + 3 * 2 * 3 + 2 * 6 * 6 + 6 * 6, 4)

    def forward(self, x):
        h = torch.tanh(self.conv(x))
        a = h[:, :, 1:5, 1:]                       # Slice, unit steps
        b = h[:, :, ::3, 0:6:2]                    # Slice, strides 3 and 2
        c = torch.index_select(x, 1, torch.tensor([1, 1]))  # Gather, repeated constant indices
        d = x[:, 0]                                # Gather, scalar index
        z = torch.cat([a.flatten(1), b.flatten(1), c.flatten(1), d.flatten(1)], 1)
        return self.fc(torch.sigmoid(z))


class Resize(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 2, 3, padding=1)
        self.fc = nn.Linear(2 * 12 * 12 * 2 + 2 * 9 * 9, 3)

    def forward(self, x):
        h = torch.tanh(self.conv(x))
        n = nn.functional.interpolate(h, scale_factor=2, mode='nearest')
        l = nn.functional.interpolate(h, size=(12, 12), mode='bilinear', align_corners=False)
        c = nn.functional.interpolate(h, size=(9, 9), mode='bilinear', align_corners=True)
        z = torch.cat([n.flatten(1), l.flatten(1), c.flatten(1)], 1)
        return self.fc(torch.tanh(z))


def export(model, name):
    model.eval()
    x = torch.rand(2, 2, 6, 6)
    torch.onnx.export(model, x, os.path.join(OUT, name), input_names=['input'], output_names=['logits'],
                      dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}}, opset_version=13)


if __name__ == '__main__':
    torch.manual_seed(20261202)
    os.makedirs(OUT, exist_ok=True)
    export(SliceGather(), 'slice-gather.onnx')
    export(Resize(), 'resize.onnx')
    print('wrote', OUT)
