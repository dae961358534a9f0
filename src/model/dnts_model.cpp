#include "dnts/model/dnts_model.h"

#include "dnts/error.h"
#include "dnts/model/subtable.h"
#include "dnts/nn/dropout.h"
#include "dnts/nn/shape.h"

namespace dnts::model {

DntsModelImpl::DntsModelImpl(const ModelConfig& cfg, int64_t in_features, int64_t horizon)
    : ForecasterImpl("dnts"), cfg_(cfg), horizon_(horizon) {
  const int64_t D = cfg.embed_dim;
  tcm_ = register_module("tcm", dnts::nn::TemporalConv(dnts::nn::TemporalConvOptions(in_features, cfg.channels, D)
                                                            .kernels(cfg.kernels)
                                                            .layers(cfg.tcm_layers)
                                                            .dropout(cfg.dropout)));
  int64_t fused = D;
  if (cfg.gcn) {
    sage1_ = register_module("sage1", dnts::nn::SageConv(dnts::nn::SageConvOptions(D, D)));
    sage2_ = register_module("sage2", dnts::nn::SageConv(dnts::nn::SageConvOptions(D, D)));
    fused += D;
  }
  if (cfg.hypergraph) {
    ghm_ = register_module("ghm", dnts::nn::HypergraphConv(dnts::nn::HypergraphConvOptions(D, D)));
    fused += D;
  }
  fuse_ = register_module("fuse", torch::nn::Sequential(torch::nn::Linear(fused, D), torch::nn::ReLU(),
                                                        dnts::nn::UniformDropout(cfg.dropout), torch::nn::Linear(D, D),
                                                        torch::nn::ReLU()));
  if (!cfg.one_stage) {
    if (cfg.activation) head_active_ = register_module("head_active", torch::nn::Linear(D, horizon));
    head_magnitude_ = register_module("head_magnitude", torch::nn::Linear(D, horizon));
    head_growth_ = register_module("head_growth", torch::nn::Linear(D, horizon));
    route_ = register_module("route", torch::nn::Sequential(torch::nn::Linear(3 * D, D), torch::nn::ReLU(),
                                                            torch::nn::Linear(D, horizon)));
    // Sparse targets: start the heads near "inactive, one unit when active, little growth".
    torch::NoGradGuard no_grad;
    if (cfg.activation) head_active_->bias.fill_(-3.0);
    head_magnitude_->bias.zero_();
    head_growth_->bias.fill_(-4.0);
  } else {
    head_y_ = register_module("head_y", torch::nn::Linear(D, horizon));
    torch::NoGradGuard no_grad;
    head_y_->bias.fill_(-3.0);
  }
}

torch::Tensor aggregate_descendants(const torch::Tensor& src, const torch::Tensor& dst, const torch::Tensor& weight,
                                    const torch::Tensor& base) {
  const int64_t H = base.size(1);
  DNTS_CHECK(weight.dim() == 2 && weight.size(0) == src.size(0) && weight.size(1) == H, ShapeError,
             "aggregate_descendants: weight must be [P={}, H={}], got {}", src.size(0), H, nn::shape_str(weight));
  if (src.size(0) == 0) return base * 0.0;  // stays in the graph: a zero gradient, not none
  // agg[m, h] = Σ_{p: src_p = m} w[p, h] · base[dst_p, h] for every h at once: a gather of the
  // descendants' rows, a product, and a scatter-add onto the promoters. The same sum as H sparse
  // [N, N] × [N, 1] products (one per horizon bucket, as the paper writes it), in one pass over the
  // P pairs instead of H; index_select / index_add carry gradients to both w and base.
  return torch::zeros_like(base).index_add(0, src, weight * base.index_select(0, dst));
}

ForecastOutput DntsModelImpl::forward(const Batch& batch, double tau) {
  const torch::Tensor& x = batch.x;
  DNTS_CHECK(x.dim() == 3 && x.size(2) == tcm_->options.in_features(), ShapeError,
             "DntsModel: x must be [N, L, F={}], got {}", tcm_->options.in_features(), nn::shape_str(x));
  // x: [N, L, F] -> z_t: [N, D]
  torch::Tensor zt = tcm_->forward(x);
  std::vector<torch::Tensor> parts{zt};
  if (cfg_.gcn) {
    torch::Tensor h1 = sage1_->forward(zt, batch.pair_src, batch.pair_dst);
    parts.push_back(sage2_->forward(h1, batch.pair_src, batch.pair_dst));
  }
  if (cfg_.hypergraph) {
    parts.push_back(ghm_->forward(zt, batch.hyper_vertex, batch.hyper_edge, batch.num_hyperedges));
  }
  torch::Tensor z = fuse_->forward(torch::cat(parts, 1));  // [N, D]
  ForecastOutput out;
  if (cfg_.one_stage) {
    out.y_hat = log_link(head_y_->forward(z));
    out.p_active = torch::ones_like(out.y_hat);
    return out;
  }
  if (cfg_.activation) {
    out.active_logit = head_active_->forward(z);
    out.p_active = torch::sigmoid(out.active_logit);
  } else {
    out.p_active = torch::ones({z.size(0), horizon_}, z.options());
  }
  torch::Tensor magnitude = log_link(head_magnitude_->forward(z));
  out.self_hat = out.p_active * magnitude;
  out.growth = log_link(head_growth_->forward(z));
  torch::Tensor agg = torch::zeros_like(out.self_hat);
  if (batch.pairs() > 0) {
    torch::Tensor logit = route_logits(z, batch.pair_src, batch.pair_dst);  // [P, H]
    out.route_logit = logit;
    if (is_training()) {
      // Gumbel-Softmax over {routes through m, does not}: softmax((ℓ + g1, 0 + g2) / τ)[0] =
      // σ((ℓ + g1 - g2) / τ). The difference of two independent standard Gumbel variables is standard
      // logistic, log u - log(1 - u) for one uniform u: the same distribution from one uniform draw
      // and one log instead of two draws and four logs (the draws were 5.5 % of a CED training step).
      // The clamp keeps both logs finite in float32 (1 - 1e-7 rounds to the largest float below 1).
      torch::Tensor u = torch::rand_like(logit).clamp_(1e-10, 1.0 - 1e-7);
      out.route_weight = torch::sigmoid((logit + torch::log(u / (1.0 - u))) / tau);
    } else {
      out.route_weight = torch::sigmoid(logit);
    }
    agg = aggregate_descendants(batch.pair_src, batch.pair_dst, out.route_weight, out.self_hat);
  } else {
    out.route_weight = torch::zeros({0, horizon_}, z.options());
    out.route_logit = out.route_weight;
  }
  out.y_hat = out.self_hat + agg + out.growth;
  return out;
}

torch::Tensor route_first_layer(const torch::Tensor& z, const torch::Tensor& src, const torch::Tensor& dst,
                                const torch::Tensor& weight, const torch::Tensor& bias, bool factored) {
  const int64_t D = z.size(1);
  torch::Tensor zm = z.index_select(0, src), zc = z.index_select(0, dst);
  if (!factored) return torch::linear(torch::cat({zm, zc, zm * zc}, 1), weight, bias);
  // [z_m, z_c, z_m ⊙ z_c] Wᵀ + b = (z W_mᵀ)[src] + (z W_cᵀ + b)[dst] + (z_m ⊙ z_c) W_mcᵀ with
  // W = [W_m | W_c | W_mc]: the two plain blocks on the N rows, gathered.
  torch::Tensor rows = torch::linear(z, weight.narrow(1, 0, D)).index_select(0, src) +
                       torch::linear(z, weight.narrow(1, D, D), bias).index_select(0, dst);
  return torch::addmm(rows, zm * zc, weight.narrow(1, 2 * D, D).t());
}

// route_ = Linear(3D, D) -> ReLU -> Linear(D, H) on [z_m, z_c, z_m ⊙ z_c] for every pair. The first
// layer is factored when the pairs outnumber the rows twice: its P-row GEMM is then D -> D instead
// of 3D -> D (measured per forward + backward, D = 32, one thread: P = 8N 79 -> 69 ms, P = 10N
// 306 -> 248 ms; at P ≈ N the concatenation is faster, 5.4 vs 8.3 ms at N = 1814, P = 973).
torch::Tensor DntsModelImpl::route_logits(const torch::Tensor& z, const torch::Tensor& src, const torch::Tensor& dst) {
  auto first = route_->ptr<torch::nn::LinearImpl>(0);
  const bool factored = src.size(0) > 2 * z.size(0);
  torch::Tensor hidden = torch::relu(route_first_layer(z, src, dst, first->weight, first->bias, factored));  // [P, D]
  return route_->ptr<torch::nn::LinearImpl>(2)->forward(hidden);  // [P, H]
}

namespace {

torch::Tensor masked_mean(const torch::Tensor& v, const torch::Tensor& mask) {
  return (v * mask).sum() / mask.sum().clamp_min(1.0);
}

torch::Tensor regression(const torch::Tensor& pred, const torch::Tensor& target, const torch::Tensor& mask,
                         const ModelConfig& cfg) {
  if (cfg.loss == "poisson") return masked_mean(pred - target * torch::log(pred + 1e-8), mask);
  if (cfg.loss == "tweedie") {
    const double p = cfg.tweedie_power;
    torch::Tensor mu = pred + 1e-8;
    return masked_mean(-target * torch::pow(mu, 1 - p) / (1 - p) + torch::pow(mu, 2 - p) / (2 - p), mask);
  }
  return masked_mean((torch::log1p(pred) - torch::log1p(target)).pow(2), mask);
}

torch::Tensor bce_logits(const torch::Tensor& logit, const torch::Tensor& target, const torch::Tensor& mask) {
  // -[t log σ(ℓ) + (1-t) log(1-σ(ℓ))] = softplus(ℓ) - t ℓ, stable for any ℓ.
  return masked_mean(torch::softplus(logit) - target * logit, mask);
}

}  // namespace

LossTerms DntsModelImpl::loss(const ForecastOutput& out, const Batch& batch, const ModelConfig& cfg) {
  return dnts_loss(out, batch, cfg);
}

LossTerms dnts_loss(const ForecastOutput& out, const Batch& batch, const ModelConfig& cfg) {
  LossTerms t;
  t.main = regression(out.y_hat, batch.y, batch.mask, cfg);
  auto zero = torch::zeros({}, out.y_hat.options());
  t.self = t.desc = t.active = t.horizon_total = zero;
  if (cfg.lambda_total > 0) {
    torch::Tensor rows = (batch.mask.sum(1) > 0).to(out.y_hat.scalar_type());
    t.horizon_total = cfg.lambda_total * regression((out.y_hat * batch.mask).sum(1), (batch.y * batch.mask).sum(1),
                                                    rows, cfg);
  }
  if (!cfg.one_stage) {
    t.self = cfg.lambda_self * regression(out.self_hat, batch.s, batch.mask, cfg);
    if (out.route_logit.size(0) > 0) t.desc = cfg.lambda_desc * bce_logits(out.route_logit, batch.route, batch.route_known);
    if (cfg.activation) t.active = cfg.lambda_active * bce_logits(out.active_logit, batch.active, batch.mask);
  }
  t.total = t.main + t.self + t.desc + t.active + t.horizon_total;
  return t;
}

}  // namespace dnts::model
