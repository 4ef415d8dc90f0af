"""ONNX exports made with Debian's PyTorch (apt-get install python3-torch python3-torchvision), for
Lumen's ONNX importer tests. Random or fixture weights only; nothing is ever downloaded.

  /usr/bin/python3 torch_export.py bn_cnn FIXTURE.json OUT.onnx
      bn_cnn of the reference fixtures, rebuilt from its PyTorch-layout `weights` and exported at
      opset 13 with a dynamic batch, keeping BatchNormalization nodes (no constant folding).
  /usr/bin/python3 torch_export.py resnet18 OUTDIR [--size 64] [--seed 0]
      torchvision.models.resnet18(weights=None) with seeded random weights and non-trivial
      batch-norm statistics, exported to OUTDIR/resnet18.onnx (opset 13), plus OUTDIR/input.bin
      (a seeded [2, 3, size, size] float32 NCHW input), OUTDIR/logits.bin (PyTorch's float32
      output for it), OUTDIR/targets.bin (the float64 model's argmax per example, int32) and
      OUTDIR/grad.bin (d logit[target] / d input per example, computed in float64), raw
      little-endian, float32 unless said.
"""
import sys
import torch
import torch.nn as nn


def tensor(entry):
    return torch.tensor(entry['data'], dtype=torch.float32).reshape(entry['shape'])


def bn_cnn(fixture, out):
    import json
    w = json.load(open(fixture))['weights']

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 6, 3, padding=1)
            self.bn1 = nn.BatchNorm2d(6, eps=1e-5)
            self.relu1 = nn.ReLU()
            self.pool = nn.MaxPool2d(2)
            self.conv2 = nn.Conv2d(6, 8, 3, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(8, eps=1e-5)
            self.relu2 = nn.ReLU()
            self.fc = nn.Linear(288, 4)

        def forward(self, x):
            x = self.pool(self.relu1(self.bn1(self.conv1(x))))
            x = self.relu2(self.bn2(self.conv2(x)))
            return self.fc(torch.flatten(x, 1))

    net = Net().eval()
    state = {k: tensor(v) for k, v in w.items() if not k.endswith('.eps')}
    net.load_state_dict(state, strict=False)
    x = torch.zeros(1, 3, 12, 12)
    torch.onnx.export(net, x, out, opset_version=13, input_names=['input'], output_names=['logits'],
                      dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}},
                      do_constant_folding=False, training=torch.onnx.TrainingMode.PRESERVE)


def resnet18(outdir, size=64, seed=0):
    import os
    import torchvision
    torch.manual_seed(seed)
    net = torchvision.models.resnet18(weights=None)
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0, 0.1)
                m.running_mean.normal_(0, 0.1)
                m.running_var.uniform_(0.5, 1.5)
    net.eval()
    x = torch.randn(2, 3, size, size)
    with torch.no_grad():
        y = net(x)
    os.makedirs(outdir, exist_ok=True)
    torch.onnx.export(net, x, os.path.join(outdir, 'resnet18.onnx'), opset_version=13, input_names=['input'],
                      output_names=['logits'], dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}})
    x.numpy().astype('<f4').tofile(os.path.join(outdir, 'input.bin'))
    y.numpy().astype('<f4').tofile(os.path.join(outdir, 'logits.bin'))
    # Saliency reference: d logit[argmax] / d input per example, computed in float64.
    net64 = net.double()
    x64 = x.double().requires_grad_(True)
    y64 = net64(x64)
    y64.gather(1, y64.argmax(1, keepdim=True)).sum().backward()
    y64.argmax(1).numpy().astype('<i4').tofile(os.path.join(outdir, 'targets.bin'))
    x64.grad.numpy().astype('<f4').tofile(os.path.join(outdir, 'grad.bin'))


if __name__ == '__main__':
    kind = sys.argv[1]
    if kind == 'bn_cnn':
        bn_cnn(sys.argv[2], sys.argv[3])
    elif kind == 'resnet18':
        args = sys.argv[3:]
        size = int(args[args.index('--size') + 1]) if '--size' in args else 64
        seed = int(args[args.index('--seed') + 1]) if '--seed' in args else 0
        resnet18(sys.argv[2], size, seed)
    else:
        sys.exit(f'unknown export {kind!r}: expected bn_cnn or resnet18')
