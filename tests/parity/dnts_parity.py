#!/usr/bin/env python3
"""PyTorch oracle for the DNTS parity test (tests/unit/test_parity.cpp).

Re-implements DntsModelImpl::forward and dnts_loss (src/model/dnts_model.cpp) and the three layers
(src/nn/temporal_conv.cpp, sage_conv.cpp, hypergraph_conv.cpp) in plain torch.nn.functional code,
written from reading the C++ and never calling it. The graph layers and the descendant aggregation
are written densely from their formulas (adjacency / incidence matrices), not with the C++'s sparse
index_add / sparse-mm formulation, so that the two sides share as little code shape as possible.

Usage: dnts_parity.py FOLDER

FOLDER/manifest.json (written by the C++ test) lists the model config, every named parameter and
every batch tensor; each tensor is one raw little-endian .bin file (float64 or int64, C order).
The script recomputes the forward outputs, the loss terms and the gradients of the total loss with
respect to every parameter and to the input features x (eval mode: no dropout, routing weight =
sigmoid(logit), no Gumbel noise), and writes them to FOLDER/py/ in the same format, with
FOLDER/py/manifest.json. When FOLDER/cpp/manifest.json exists (the C++ results), it also prints the
largest differences, for debugging; the C++ test does the asserting.

Only the standard library and torch are needed (no numpy). Exits with status 77 (the test then
skips) when torch cannot be imported.
"""

import json
import math
import os
import struct
import sys

EXIT_NO_TORCH = 77

try:
    import torch
    import torch.nn.functional as F
except ImportError as err:
    print(f"dnts_parity.py: cannot import torch: {err}", file=sys.stderr)
    sys.exit(EXIT_NO_TORCH)

# DntsModelImpl leaves TemporalConvOptions::dilation_base at its default: block b uses dilation 2^b.
DILATION_BASE = 2
# kMaxLogMagnitude in include/dnts/model/dnts_model.h.
MAX_LOG_MAGNITUDE = 15.0
# The 1e-8 that the poisson / tweedie losses add to the prediction.
LOSS_EPS = 1e-8

DTYPES = {"float64": (torch.float64, "d"), "int64": (torch.int64, "q")}


# ----------------------------------------------------------------------------- tensor exchange


def read_tensor(folder, entry):
    dtype, code = DTYPES[entry["dtype"]]
    shape = [int(s) for s in entry["shape"]]
    n = math.prod(shape)
    with open(os.path.join(folder, entry["file"]), "rb") as f:
        data = f.read()
    if len(data) != 8 * n:
        raise ValueError(f"{entry['file']}: {len(data)} bytes, expected {8 * n} for shape {shape}")
    return torch.tensor(struct.unpack(f"<{n}{code}", data), dtype=dtype).reshape(shape)


def write_tensor(folder, name, t):
    t = t.detach().contiguous()
    if t.dtype == torch.float64:
        dtype, code = "float64", "d"
    elif t.dtype == torch.int64:
        dtype, code = "int64", "q"
    else:
        raise TypeError(f"{name}: unsupported dtype {t.dtype}")
    file = name + ".bin"
    values = t.reshape(-1).tolist()
    with open(os.path.join(folder, file), "wb") as f:
        f.write(struct.pack(f"<{len(values)}{code}", *values))
    return {"name": name, "file": file, "dtype": dtype, "shape": list(t.shape)}


def read_section(folder, entries):
    return {e["name"]: read_tensor(folder, e) for e in entries}


# ----------------------------------------------------------------------------- layers


def temporal_conv(P, x):
    """TCM: x [N, L, F] -> [N, D]. Per block b (dilation d = 2^b): z = tanh(inc_f(h)) * sigmoid(inc_g(h)),
    h = h + residual_b(z); each inception branch is a causal conv (left zero padding (k-1)*d); the
    head reads the last time step."""
    steps = x.shape[1]
    h = F.conv1d(x.transpose(1, 2), P["tcm.start.weight"], P["tcm.start.bias"])  # [N, C, L]
    block = 0
    while f"tcm.filter.{block}.0.weight" in P:
        d = DILATION_BASE**block

        def inception(path):
            parts = []
            j = 0
            while f"tcm.{path}.{block}.{j}.weight" in P:
                w = P[f"tcm.{path}.{block}.{j}.weight"]
                k = w.shape[2]
                padded = F.pad(h, ((k - 1) * d, 0))
                parts.append(F.conv1d(padded, w, P[f"tcm.{path}.{block}.{j}.bias"], dilation=d))
                j += 1
            return torch.cat(parts, dim=1)

        z = torch.tanh(inception("filter")) * torch.sigmoid(inception("gate"))
        h = h + F.conv1d(z, P[f"tcm.residual.{block}.weight"], P[f"tcm.residual.{block}.bias"])
        block += 1
    return F.linear(h[:, :, steps - 1], P["tcm.head.weight"], P["tcm.head.bias"])


def sage_conv(P, prefix, x, src, dst):
    """GraphSAGE mean aggregator, dense: relu(W_self x + b + W_neigh (A x / deg)), A[m, c] = #pairs (m, c)."""
    n = x.shape[0]
    adj = torch.zeros(n, n, dtype=x.dtype)
    adj.index_put_((src, dst), torch.ones(src.shape[0], dtype=x.dtype), accumulate=True)
    deg = adj.sum(dim=1, keepdim=True)
    mean = (adj @ x) / torch.where(deg > 0, deg, torch.ones_like(deg))
    out = F.linear(x, P[prefix + "self.weight"], P[prefix + "self.bias"]) + F.linear(mean, P[prefix + "neigh.weight"])
    return F.relu(out)


def hypergraph_conv(P, prefix, x, vertex, edge, num_edges):
    """HGNN, dense: relu(Dv^-1/2 H De^-1 H^T Dv^-1/2 X Theta^T + b), degree-0 vertices / edges give 0."""
    n = x.shape[0]
    inc = torch.zeros(n, num_edges, dtype=x.dtype)
    inc.index_put_((vertex, edge), torch.ones(vertex.shape[0], dtype=x.dtype), accumulate=True)
    dv = inc.sum(dim=1)
    de = inc.sum(dim=0)
    dv_inv_sqrt = torch.zeros_like(dv)
    dv_inv_sqrt[dv > 0] = dv[dv > 0] ** -0.5
    de_inv = torch.zeros_like(de)
    de_inv[de > 0] = 1.0 / de[de > 0]
    op = torch.diag(dv_inv_sqrt) @ inc @ torch.diag(de_inv) @ inc.T @ torch.diag(dv_inv_sqrt)  # [N, N]
    out = op @ (x @ P[prefix + "theta.weight"].T) + P[prefix + "theta.bias"]
    return F.relu(out)


def log_link(eta):
    return torch.exp(torch.clamp(eta, max=MAX_LOG_MAGNITUDE))


def aggregate_descendants(src, dst, weight, base):
    """out[m, h] = sum_p [src[p] = m] weight[p, h] base[dst[p], h], as a dense [H, N, N] product."""
    n, horizon = base.shape
    mats = []
    for h in range(horizon):
        a = torch.zeros(n, n, dtype=base.dtype)
        a = a.index_put((src, dst), weight[:, h], accumulate=True)
        mats.append(a)
    return torch.einsum("hnm,mh->nh", torch.stack(mats), base)


# ----------------------------------------------------------------------------- model and loss


def forward(P, B, cfg):
    x = B["x"]
    zt = temporal_conv(P, x)
    parts = [zt]
    if cfg["gcn"]:
        h1 = sage_conv(P, "sage1.", zt, B["pair_src"], B["pair_dst"])
        parts.append(sage_conv(P, "sage2.", h1, B["pair_src"], B["pair_dst"]))
    if cfg["hypergraph"]:
        parts.append(hypergraph_conv(P, "ghm.", zt, B["hyper_vertex"], B["hyper_edge"], cfg["num_hyperedges"]))
    fused = torch.cat(parts, dim=1)
    z = F.relu(F.linear(fused, P["fuse.0.weight"], P["fuse.0.bias"]))  # fuse.1 ReLU, fuse.2 Dropout (eval)
    z = F.relu(F.linear(z, P["fuse.3.weight"], P["fuse.3.bias"]))

    out = {}
    if cfg["one_stage"]:
        out["y_hat"] = log_link(F.linear(z, P["head_y.weight"], P["head_y.bias"]))
        out["p_active"] = torch.ones_like(out["y_hat"])
        return out
    if cfg["activation"]:
        out["active_logit"] = F.linear(z, P["head_active.weight"], P["head_active.bias"])
        out["p_active"] = torch.sigmoid(out["active_logit"])
    else:
        out["p_active"] = torch.ones(z.shape[0], P["head_magnitude.weight"].shape[0], dtype=z.dtype)
    magnitude = log_link(F.linear(z, P["head_magnitude.weight"], P["head_magnitude.bias"]))
    out["self_hat"] = out["p_active"] * magnitude
    out["growth"] = log_link(F.linear(z, P["head_growth.weight"], P["head_growth.bias"]))
    src, dst = B["pair_src"], B["pair_dst"]
    if src.shape[0] > 0:
        zm, zc = z[src], z[dst]
        hidden = F.relu(F.linear(torch.cat([zm, zc, zm * zc], dim=1), P["route.0.weight"], P["route.0.bias"]))
        out["route_logit"] = F.linear(hidden, P["route.2.weight"], P["route.2.bias"])
        out["route_weight"] = torch.sigmoid(out["route_logit"])  # eval mode: the probability
        agg = aggregate_descendants(src, dst, out["route_weight"], out["self_hat"])
    else:
        out["route_logit"] = torch.zeros(0, out["self_hat"].shape[1], dtype=z.dtype)
        out["route_weight"] = out["route_logit"]
        agg = torch.zeros_like(out["self_hat"])
    out["y_hat"] = out["self_hat"] + agg + out["growth"]
    return out


def masked_mean(v, mask):
    return (v * mask).sum() / torch.clamp(mask.sum(), min=1.0)


def regression(pred, target, mask, cfg):
    if cfg["loss"] == "poisson":
        return masked_mean(pred - target * torch.log(pred + LOSS_EPS), mask)
    if cfg["loss"] == "tweedie":
        p = cfg["tweedie_power"]
        mu = pred + LOSS_EPS
        return masked_mean(-target * mu ** (1 - p) / (1 - p) + mu ** (2 - p) / (2 - p), mask)
    if cfg["loss"] == "log1p":
        return masked_mean((torch.log1p(pred) - torch.log1p(target)) ** 2, mask)
    raise ValueError(f"unknown loss {cfg['loss']!r}")


def bce_on_logits(logit, target, mask):
    return masked_mean(F.binary_cross_entropy_with_logits(logit, target, reduction="none"), mask)


def loss_terms(out, B, cfg):
    zero = torch.zeros((), dtype=torch.float64)
    t = {"main": regression(out["y_hat"], B["y"], B["mask"], cfg), "self": zero, "desc": zero, "active": zero}
    # Horizon totals: each row with a scored bucket compares sum_h mask*y_hat with sum_h mask*y.
    t["horizon_total"] = zero
    if cfg["lambda_total"] > 0:
        mask = B["mask"]
        scored_rows = (mask.sum(dim=1) > 0).to(torch.float64)
        pred_total = (out["y_hat"] * mask).sum(dim=1)
        target_total = (B["y"] * mask).sum(dim=1)
        t["horizon_total"] = cfg["lambda_total"] * regression(pred_total, target_total, scored_rows, cfg)
    if not cfg["one_stage"]:
        t["self"] = cfg["lambda_self"] * regression(out["self_hat"], B["s"], B["mask"], cfg)
        if out["route_logit"].shape[0] > 0:
            t["desc"] = cfg["lambda_desc"] * bce_on_logits(out["route_logit"], B["route"], B["route_known"])
        if cfg["activation"]:
            t["active"] = cfg["lambda_active"] * bce_on_logits(out["active_logit"], B["active"], B["mask"])
    t["total"] = t["main"] + t["self"] + t["desc"] + t["active"] + t["horizon_total"]
    return t


# ----------------------------------------------------------------------------- main


def report_against_cpp(folder, losses, outputs, grads):
    cpp_dir = os.path.join(folder, "cpp")
    path = os.path.join(cpp_dir, "manifest.json")
    if not os.path.exists(path):
        return
    with open(path) as f:
        cpp = json.load(f)
    print("loss terms (python vs c++):")
    for k, v in losses.items():
        c = cpp["losses"].get(k)
        print(f"  {k:13s} {v:.17g} {c!r:>24} diff {abs(v - c) if c is not None else float('nan'):.3e}")
    for section, mine in (("outputs", outputs), ("grads", grads)):
        theirs = read_section(cpp_dir, cpp[section])
        diffs = [
            (name, (t - theirs[name]).abs().max().item() if t.numel() else 0.0)
            for name, t in mine.items()
            if name in theirs
        ]
        worst = max(diffs, key=lambda kv: kv[1], default=("-", 0.0))
        missing = sorted(set(mine) ^ set(theirs))
        print(f"{section}: worst {worst[0]} max|diff| {worst[1]:.3e}; only on one side: {missing}")


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    if sys.byteorder != "little":
        print("dnts_parity.py: the exchange format is little-endian; this host is not", file=sys.stderr)
        return 2
    folder = argv[1]
    with open(os.path.join(folder, "manifest.json")) as f:
        manifest = json.load(f)
    cfg = dict(manifest["config"])
    cfg["num_hyperedges"] = int(manifest["num_hyperedges"])
    torch.set_default_dtype(torch.float64)

    P = read_section(folder, manifest["params"])
    for t in P.values():
        t.requires_grad_(True)
    B = read_section(folder, manifest["batch"])
    B["x"].requires_grad_(True)

    out = forward(P, B, cfg)
    terms = loss_terms(out, B, cfg)
    names = list(P) + ["x"]
    leaves = [P[n] for n in names[:-1]] + [B["x"]]
    grad_list = torch.autograd.grad(terms["total"], leaves, allow_unused=True)
    grads = {n: (g if g is not None else torch.zeros_like(t)) for n, g, t in zip(names, grad_list, leaves)}

    out_dir = os.path.join(folder, "py")
    os.makedirs(out_dir, exist_ok=True)
    losses = {k: v.item() for k, v in terms.items()}
    outputs = {k: v.detach() for k, v in out.items()}
    result = {
        "losses": losses,
        "outputs": [write_tensor(out_dir, "out." + k, v) for k, v in outputs.items()],
        "grads": [write_tensor(out_dir, "grad." + k, v) for k, v in grads.items()],
    }
    # Names inside the manifest carry no section prefix (the file names do).
    for section in ("outputs", "grads"):
        for e in result[section]:
            e["name"] = e["name"].split(".", 1)[1]
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(result, f, indent=1)
    report_against_cpp(folder, losses, outputs, grads)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
