// The DNTS model (METHOD.md §4): TCM -> LSM (DFS-sampled descendants, inductive GCN) -> GHM
// (hypergraph over the batch's (item, promoter) rows) -> fusion -> two-stage decoder (activation
// probability, conditional magnitude, Gumbel-Softmax descendant routing, growth term, and matrix
// aggregation as one sparse product per horizon bucket over the batch's block-diagonal of items).
// No per-promoter or per-item id embedding: new promoters and items are forecast without retraining.
#pragma once

#include <torch/torch.h>

#include "dnts/config.h"
#include "dnts/model/batch.h"
#include "dnts/model/forecaster.h"
#include "dnts/nn/hypergraph_conv.h"
#include "dnts/nn/sage_conv.h"
#include "dnts/nn/temporal_conv.h"

namespace dnts::model {

class DntsModelImpl : public ForecasterImpl {
 public:
  /// in_features: F of Batch::x; horizon: H.
  DntsModelImpl(const ModelConfig& cfg, int64_t in_features, int64_t horizon);
  /// x: [N, L, F] -> ForecastOutput. `tau`: Gumbel-Softmax temperature (training only).
  ForecastOutput forward(const Batch& batch, double tau = 1.0) override;
  /// dnts_loss with this model's settings.
  LossTerms loss(const ForecastOutput& out, const Batch& batch, const ModelConfig& cfg) override;
  const ModelConfig& config() const { return cfg_; }

 private:
  /// Routing logits ℓ(m, c, h) of the pairs (src, dst) from the fused embeddings z [N, D] -> [P, H].
  torch::Tensor route_logits(const torch::Tensor& z, const torch::Tensor& src, const torch::Tensor& dst);

  ModelConfig cfg_;
  int64_t horizon_;
  dnts::nn::TemporalConv tcm_{nullptr};
  dnts::nn::SageConv sage1_{nullptr}, sage2_{nullptr};
  dnts::nn::HypergraphConv ghm_{nullptr};
  torch::nn::Sequential fuse_{nullptr};
  torch::nn::Linear head_active_{nullptr}, head_magnitude_{nullptr}, head_growth_{nullptr}, head_y_{nullptr};
  torch::nn::Sequential route_{nullptr};
};
TORCH_MODULE(DntsModel);

/// Sum over a horizon bucket of Â ⊙ base of each row's sampled descendants, as one sparse COO
/// product per horizon bucket: out[:, h] = A_h @ base[:, h] with A_h[src, dst] = weight[:, h].
/// weight: [P, H], base: [N, H] -> [N, H].
torch::Tensor aggregate_descendants(const torch::Tensor& src, const torch::Tensor& dst, const torch::Tensor& weight,
                                    const torch::Tensor& base);

/// First layer of the routing MLP, before its ReLU: [z_m, z_c, z_m ⊙ z_c] Wᵀ + b for the pairs
/// (src, dst) of rows of z [N, D]; weight [D, 3D], bias [D] -> [P, D]. `factored`: the z_m and z_c
/// blocks are computed on the N rows and gathered (fewer FLOPs when P > 2N); else one concatenation.
/// Both give the same values (up to rounding) and gradients.
torch::Tensor route_first_layer(const torch::Tensor& z, const torch::Tensor& src, const torch::Tensor& dst,
                                const torch::Tensor& weight, const torch::Tensor& bias, bool factored);

/// L = L_main + λ_s L(r̂ŝ, s) + λ_d BCE(Â, R) + λ_a BCE(r̂, 1[s>0]) (METHOD.md §4.5), masked where
/// targets are unknown, + λ_t L(Σ_h ŷ, Σ_h y) over rows with a scored cell [ours; λ_t = 0 gives the
/// paper's loss]: budget decisions use horizon totals, which the per-bucket loss does not see directly
/// (default simulated data, seed 1: test horizon-total WAPE 0.70 -> 0.62, cell RMSE 1.41 -> 1.29). The regression terms use cfg.loss (log1p squared error by default). The two
/// BCE terms are computed from the logits (the probability of Â, not its relaxed sample) [ours]:
/// numerically stable, unbiased for fractional routing shares, and never flat at saturation.
LossTerms dnts_loss(const ForecastOutput& out, const Batch& batch, const ModelConfig& cfg);

}  // namespace dnts::model
