#!/usr/bin/env python3
"""PyTorch (Python) peer of `dnts bench train` (src/train/bench_train.cpp).

The DNTS model as a PyTorch user would write it, trained for the same steps on the same initial
weights and batches as the C++ engine, with the same Adam settings, gradient clipping, dtype and
thread count, so the two step times are comparable and the two loss curves can be compared.

Two variants of the Temporal Convolution Module, the rest shared:
  natural  Graph WaveNet / MTGNN style: activations [1, C, N, L], one nn.Conv2d (1, k) per dilated
           inception branch (causal left padding), over every time step (the paper's formulation).
  gemm     the C++ engine's formulations ported to Python: per TCM block one GEMM over the taps of
           every branch, computed only at the steps the read-out needs (src/nn/temporal_conv.cpp),
           the routing MLP's first layer split so that only its z_m * z_c block runs on the pairs
           when they outnumber the rows twice
           (DntsModelImpl::route_logits), and the engine's one-uniform Gumbel and dropout draws
           (src/model/dnts_model.cpp, src/nn/dropout.cpp). It separates the
           algorithmic gain from the language and framework overhead.
Graph parts (GraphSAGE mean, HGNN, descendant aggregation) use index_select / index_add as
PyG-style PyTorch code does; the loss is tests/parity/dnts_parity.py's.

Usage: dnts_train_peer.py FOLDER

FOLDER/manifest.json (written by the C++ side): model settings, dtype, threads, modes, seed, Gumbel
temperature, optimiser settings, the step schedule (batch index per step), the initial parameters
(C++ names and shapes) and the batches; tensors are raw little-endian .bin files (see
include/dnts/train/tensor_exchange.h). Writes FOLDER/peer.json: per variant and mode the loss and
the seconds of every step. Modes: exact (eval mode: no dropout, routing weight = sigmoid(logit);
optimiser updates) and train (dropout and Gumbel-Softmax noise). Exits with 77 without torch.
"""

import json
import math
import os
import sys
import time

EXIT_NO_TORCH = 77

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as err:
    print(f"dnts_train_peer.py: cannot import torch: {err}", file=sys.stderr)
    sys.exit(EXIT_NO_TORCH)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "parity"))
from dnts_parity import DILATION_BASE, log_link, loss_terms  # noqa: E402  (the parity oracle's loss)

DTYPES = {"float32": torch.float32, "float64": torch.float64, "int64": torch.int64}


def read_tensor(folder, entry):
    dtype = DTYPES[entry["dtype"]]
    shape = [int(s) for s in entry["shape"]]
    with open(os.path.join(folder, entry["file"]), "rb") as f:
        data = bytearray(f.read())
    if not data:
        return torch.empty(shape, dtype=dtype)
    return torch.frombuffer(data, dtype=dtype).reshape(shape).clone()


# ----------------------------------------------------------------------------- temporal convolution


def uniform_dropout(x, p, training):
    """The engine's dropout (src/nn/dropout.cpp): keep mask u >= p from one uniform draw."""
    if not training or p <= 0:
        return x
    return x * torch.rand_like(x).ge_(p).mul_(1.0 / (1.0 - p))


class UniformDropout(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.p = p

    def forward(self, x):
        return uniform_dropout(x, self.p, self.training)



class TemporalConvNatural(nn.Module):
    """MTGNN dilated inception as Graph WaveNet-style code writes it: x [N, L, F] -> [N, D]."""

    def __init__(self, in_features, channels, out_dim, kernels, layers, dropout):
        super().__init__()
        branch = channels // len(kernels)
        self.kernels, self.dropout = kernels, dropout
        self.start = nn.Conv2d(in_features, channels, (1, 1))
        self.filter = nn.ModuleList()
        self.gate = nn.ModuleList()
        self.residual = nn.ModuleList()
        for b in range(layers):
            d = DILATION_BASE**b
            self.filter.append(nn.ModuleList([nn.Conv2d(channels, branch, (1, k), dilation=(1, d)) for k in kernels]))
            self.gate.append(nn.ModuleList([nn.Conv2d(channels, branch, (1, k), dilation=(1, d)) for k in kernels]))
            self.residual.append(nn.Conv2d(channels, channels, (1, 1)))
        self.head = nn.Linear(channels, out_dim)

    def forward(self, x):
        h = self.start(x.permute(2, 0, 1).unsqueeze(0))  # [1, C, N, L]
        for b, (filt, gate, res) in enumerate(zip(self.filter, self.gate, self.residual)):
            d = DILATION_BASE**b

            def inception(convs):
                return torch.cat([conv(F.pad(h, ((k - 1) * d, 0))) for conv, k in zip(convs, self.kernels)], dim=1)

            z = torch.tanh(inception(filt)) * torch.sigmoid(inception(gate))
            z = F.dropout(z, self.dropout, self.training)
            h = h + res(z)
        return self.head(h[0, :, :, -1].t())


class TemporalConvGemm(nn.Module):
    """The C++ formulation (src/nn/temporal_conv.cpp): one GEMM per block over the taps of every
    branch (branch weights left-padded to the largest kernel), only at the steps read later."""

    def __init__(self, in_features, channels, out_dim, kernels, layers, dropout):
        super().__init__()
        branch = channels // len(kernels)
        self.kernels, self.dropout, self.channels = kernels, dropout, channels
        self.start = nn.Conv1d(in_features, channels, 1)
        self.filter = nn.ModuleList()
        self.gate = nn.ModuleList()
        self.residual = nn.ModuleList()
        for b in range(layers):
            d = DILATION_BASE**b
            self.filter.append(nn.ModuleList([nn.Conv1d(channels, branch, k, dilation=d) for k in kernels]))
            self.gate.append(nn.ModuleList([nn.Conv1d(channels, branch, k, dilation=d) for k in kernels]))
            self.residual.append(nn.Conv1d(channels, channels, 1))
        self.head = nn.Linear(channels, out_dim)
        self._taps = {}  # (T, K, d) -> index tensor, built once

    def block_weight(self, filt, gate, k_max):
        w = [F.pad(c.weight, (k_max - c.weight.shape[2], 0)) for c in list(filt) + list(gate)]
        weight = torch.cat(w, 0)  # [2C, C, K]
        bias = torch.cat([c.bias for c in list(filt) + list(gate)], 0)
        return weight.permute(0, 2, 1).reshape(weight.shape[0], -1), bias

    def forward(self, x):
        n, steps, _ = x.shape
        c, k_max, blocks = self.channels, max(self.kernels), len(self.filter)
        dil = [DILATION_BASE**b for b in range(blocks)]
        first = [0] * blocks
        first[-1] = steps - 1
        for b in range(blocks - 1, 0, -1):
            first[b - 1] = max(0, first[b] - (k_max - 1) * dil[b])
        h_first = max(0, first[0] - (k_max - 1) * dil[0])
        h = F.linear(x[:, h_first:], self.start.weight.squeeze(2), self.start.bias)  # [N, T, C]
        for b in range(blocks):
            d, out_first = dil[b], first[b]
            t = steps - out_first
            in_first = out_first - (k_max - 1) * d
            s = max(in_first, h_first)
            hp = h[:, s - h_first :]
            if in_first < 0:
                hp = F.pad(hp, (0, 0, -in_first, 0))
            key = (t, k_max, d)
            if key not in self._taps:
                self._taps[key] = (torch.arange(t).unsqueeze(1) + torch.arange(k_max) * d).reshape(-1)
            taps = hp.index_select(1, self._taps[key]).reshape(-1, k_max * c)
            w, bias = self.block_weight(self.filter[b], self.gate[b], k_max)
            fg = torch.addmm(bias, taps, w.t()).view(n, t, 2 * c)
            f, g = fg.chunk(2, 2)
            z = torch.tanh(f) * torch.sigmoid(g)
            z = uniform_dropout(z, self.dropout, self.training)
            res = self.residual[b]
            h = h[:, out_first - h_first :] + F.linear(z, res.weight.squeeze(2), res.bias)
            h_first = out_first
        return self.head(h[:, -1])


# ----------------------------------------------------------------------------- graph layers, model


class Sage(nn.Module):
    """GraphSAGE mean aggregator over the sampled descendant pairs (index_add)."""

    def __init__(self, dim):
        super().__init__()
        self.self = nn.Linear(dim, dim)
        self.neigh = nn.Linear(dim, dim, bias=False)

    def forward(self, x, src, dst):
        n = x.shape[0]
        total = x.new_zeros(n, x.shape[1]).index_add(0, src, x.index_select(0, dst))
        count = x.new_zeros(n).index_add(0, src, x.new_ones(src.shape[0]))
        return F.relu(self.self(x) + self.neigh(total / count.clamp_min(1.0).unsqueeze(1)))


class Hgnn(nn.Module):
    """HGNN: relu(Dv^-1/2 H De^-1 H^T Dv^-1/2 X Theta + b) over the incidence pairs (index_add)."""

    def __init__(self, dim):
        super().__init__()
        self.theta = nn.Linear(dim, dim)

    def forward(self, x, vertex, edge, num_edges):
        n = x.shape[0]
        ones = x.new_ones(vertex.shape[0])
        dv = x.new_zeros(n).index_add(0, vertex, ones)
        de = x.new_zeros(num_edges).index_add(0, edge, ones)
        dv_is = torch.where(dv > 0, dv.clamp_min(1.0).rsqrt(), torch.zeros_like(dv)).unsqueeze(1)
        de_inv = torch.where(de > 0, de.clamp_min(1.0).reciprocal(), torch.zeros_like(de)).unsqueeze(1)
        xw = F.linear(x, self.theta.weight) * dv_is
        e = x.new_zeros(num_edges, xw.shape[1]).index_add(0, edge, xw.index_select(0, vertex)) * de_inv
        out = x.new_zeros(n, xw.shape[1]).index_add(0, vertex, e.index_select(0, edge)) * dv_is
        return F.relu(out + self.theta.bias)


class Dnts(nn.Module):
    def __init__(self, cfg, shapes, tcm_class, engine):
        super().__init__()
        self.cfg, self.engine = cfg, engine
        c, f = shapes["tcm.start.weight"][:2]
        d = shapes["tcm.head.weight"][0]
        self.tcm = tcm_class(f, c, d, cfg["kernels"], cfg["tcm_layers"], cfg["dropout"])
        fused = d
        if cfg["gcn"]:
            self.sage1, self.sage2 = Sage(d), Sage(d)
            fused += d
        if cfg["hypergraph"]:
            self.ghm = Hgnn(d)
            fused += d
        p = cfg["dropout"]
        drop = UniformDropout(p) if engine else nn.Dropout(p)
        self.fuse = nn.Sequential(nn.Linear(fused, d), nn.ReLU(), drop, nn.Linear(d, d), nn.ReLU())
        if cfg["one_stage"]:
            self.head_y = nn.Linear(d, shapes["head_y.weight"][0])
            return
        horizon = shapes["head_magnitude.weight"][0]
        if cfg["activation"]:
            self.head_active = nn.Linear(d, horizon)
        self.head_magnitude = nn.Linear(d, horizon)
        self.head_growth = nn.Linear(d, horizon)
        self.route = nn.Sequential(nn.Linear(3 * d, d), nn.ReLU(), nn.Linear(d, horizon))

    def forward(self, B, tau, gumbel):
        zt = self.tcm(B["x"])
        parts = [zt]
        src, dst = B["pair_src"], B["pair_dst"]
        if self.cfg["gcn"]:
            parts.append(self.sage2(self.sage1(zt, src, dst), src, dst))
        if self.cfg["hypergraph"]:
            parts.append(self.ghm(zt, B["hyper_vertex"], B["hyper_edge"], B["num_hyperedges"]))
        z = self.fuse(torch.cat(parts, 1))
        out = {}
        if self.cfg["one_stage"]:
            out["y_hat"] = log_link(self.head_y(z))
            return out
        if self.cfg["activation"]:
            out["active_logit"] = self.head_active(z)
            p_active = torch.sigmoid(out["active_logit"])
        else:
            p_active = 1.0
        out["self_hat"] = p_active * log_link(self.head_magnitude(z))
        growth = log_link(self.head_growth(z))
        if src.shape[0] > 0:
            zm, zc = z.index_select(0, src), z.index_select(0, dst)
            if self.engine and src.shape[0] > 2 * z.shape[0]:
                # The C++ formulation (route_first_layer) when the pairs outnumber the rows twice: the
                # z_m and z_c blocks of the first layer on the N rows, gathered; only the z_m * z_c
                # block on the P pairs.
                w, b, d = self.route[0].weight, self.route[0].bias, z.shape[1]
                rows = F.linear(z, w[:, :d]).index_select(0, src) + F.linear(z, w[:, d : 2 * d], b).index_select(0, dst)
                logit = self.route[2](F.relu(torch.addmm(rows, zm * zc, w[:, 2 * d :].t())))
            else:
                logit = self.route(torch.cat([zm, zc, zm * zc], 1))
            out["route_logit"] = logit
            weight = gumbel(logit, tau) if self.training else torch.sigmoid(logit)
            agg = torch.zeros_like(out["self_hat"]).index_add(0, src, weight * out["self_hat"].index_select(0, dst))
        else:
            out["route_logit"] = z.new_zeros(0, growth.shape[1])
            agg = torch.zeros_like(out["self_hat"])
        out["y_hat"] = out["self_hat"] + agg + growth
        return out


def gumbel_natural(logit, tau):
    """Relaxed Bernoulli as a PyTorch user writes it: F.gumbel_softmax over the logits (l, 0)."""
    return F.gumbel_softmax(torch.stack([logit, torch.zeros_like(logit)], -1), tau=tau)[..., 0]


def gumbel_engine(logit, tau):
    """The C++ engine's draw (src/model/dnts_model.cpp): the difference of two Gumbel variables is
    logistic, so one uniform u gives sigmoid((l + log u - log(1 - u)) / tau)."""
    u = torch.rand_like(logit).clamp_(1e-10, 1.0 - 1e-7)
    return torch.sigmoid((logit + torch.log(u / (1.0 - u))) / tau)


# ----------------------------------------------------------------------------- training


def train_run(model, params, initial, batches, schedule, mode, man, gumbel):
    with torch.no_grad():
        for p, t in zip(params, initial):
            p.copy_(t.view(p.shape))
    o = man["optim"]
    opt = torch.optim.Adam(params, lr=o["lr"], betas=tuple(o["betas"]), eps=o["eps"], weight_decay=o["weight_decay"])
    clip = o["clip_norm"] if o["clip_norm"] > 0 else math.inf
    torch.manual_seed(man["seed"])
    model.train(mode == "train")
    losses, seconds = [], []
    for step, k in enumerate(schedule):
        B = batches[k]
        t0 = time.perf_counter()
        opt.zero_grad()
        out = model(B, man["tau"], gumbel)
        terms = loss_terms(out, B, model.cfg)
        loss = terms["total"].item()
        if not math.isfinite(loss):
            raise FloatingPointError(f"non-finite loss {loss} at step {step}")
        terms["total"].backward()
        torch.nn.utils.clip_grad_norm_(params, clip)
        opt.step()
        seconds.append(time.perf_counter() - t0)
        losses.append(loss)
    return losses, seconds


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    folder = argv[1]
    with open(os.path.join(folder, "manifest.json")) as f:
        man = json.load(f)
    torch.set_num_threads(int(man["threads"]))
    dtype = DTYPES[man["dtype"]]
    torch.set_default_dtype(dtype)
    cfg = dict(man["model"])
    names = [e["name"] for e in man["params"]]
    initial = [read_tensor(folder, e) for e in man["params"]]
    shapes = {n: list(t.shape) for n, t in zip(names, initial)}
    batches = []
    for b in man["batches"]:
        B = {e["name"]: read_tensor(folder, e) for e in b["tensors"]}
        B["num_hyperedges"] = int(b["num_hyperedges"])
        batches.append(B)
    runs = []
    for variant, tcm_class, gumbel, factored in (("natural", TemporalConvNatural, gumbel_natural, False),
                                                 ("gemm", TemporalConvGemm, gumbel_engine, True)):
        if variant not in man["variants"]:
            continue
        model = Dnts(cfg, shapes, tcm_class, factored).to(dtype)
        mine = dict(model.named_parameters())
        missing = sorted(set(names) ^ set(mine))
        if missing:
            raise KeyError(f"{variant}: parameters on one side only: {missing}")
        params = [mine[n] for n in names]  # the C++ order: clipping sums the norms in that order
        for mode in man["modes"]:
            losses, seconds = train_run(model, params, initial, batches, man["schedule"], mode, man, gumbel)
            runs.append({"variant": variant, "mode": mode, "loss": losses, "seconds": seconds})
            print(f"{variant} {mode}: median {1e3 * sorted(seconds)[len(seconds) // 2]:.2f} ms/step", file=sys.stderr)
    with open(os.path.join(folder, "peer.json"), "w") as f:
        json.dump({"torch": torch.__version__, "threads": torch.get_num_threads(), "runs": runs}, f)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
