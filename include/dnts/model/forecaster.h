// The Forecaster interface: DNTS and every baseline read the same Batch and return the same
// ForecastOutput, so training, evaluation, backtests and forecasts treat them alike. A forecaster
// without parameters (the statistical baselines) is simply not trained.
#pragma once

#include <string>

#include <torch/torch.h>

#include "dnts/config.h"
#include "dnts/model/batch.h"
#include "dnts/model/registry.h"

namespace dnts::model {

/// Everything the decoder predicts, per row (N) or sampled pair (P) and horizon bucket (H). Baselines
/// fill y_hat and p_active only.
struct ForecastOutput {
  torch::Tensor y_hat;         ///< [N, H] propagation scale ŷ >= 0
  torch::Tensor self_hat;      ///< [N, H] expected self-sales r̂ ŝ (one-stage: undefined)
  torch::Tensor p_active;      ///< [N, H] activation probability r̂ (ones with --no-activation)
  torch::Tensor route_weight;  ///< [P, H] Â: relaxed Gumbel sample in training, probability at inference
  torch::Tensor route_logit;   ///< [P, H] ℓ(m, c, h): the routing BCE is taken on it (stable, no saturation)
  torch::Tensor active_logit;  ///< [N, H] logit of r̂ (undefined with --no-activation / one-stage)
  torch::Tensor growth;        ///< [N, H] ĝ: sales of descendants that do not exist yet, and of existing ones beyond the K sampled
};

/// Loss terms (each already weighted) and their sum.
struct LossTerms {
  torch::Tensor total, main, self, desc, active, horizon_total;
};

class ForecasterImpl : public torch::nn::Module {
 public:
  explicit ForecasterImpl(std::string kind) : torch::nn::Module(kind), kind_(std::move(kind)) {}
  /// Batch -> forecasts. `tau`: Gumbel-Softmax temperature (DNTS in training; ignored otherwise).
  virtual ForecastOutput forward(const Batch& batch, double tau = 1.0) = 0;
  /// The training objective. Default: the one-stage loss (main + λ_t horizon total).
  virtual LossTerms loss(const ForecastOutput& out, const Batch& batch, const ModelConfig& cfg);
  /// Whether the forecaster has parameters to fit.
  bool trainable() const { return !parameters().empty(); }
  const std::string& kind() const { return kind_; }

 private:
  std::string kind_;
};

/// L = L_main(ŷ, y) + λ_t L(Σ_h ŷ, Σ_h y): the loss of every model that predicts y directly.
LossTerms one_stage_loss(const ForecastOutput& out, const Batch& batch, const ModelConfig& cfg);

/// Largest log-magnitude a head may output (e^15 ≈ 3.3 M per bucket): an overflow guard, not a prior.
constexpr double kMaxLogMagnitude = 15.0;

/// The magnitude heads' link [ours]: exp(min(η, kMaxLogMagnitude)). Sales are heavy-tailed; with the
/// log1p loss, log1p(e^η) ≈ η keeps the gradient at O(1) for a promoter with thousands of sales,
/// where softplus (log1p(softplus(η)) ≈ log η) flattens and cannot reach the tail.
torch::Tensor log_link(const torch::Tensor& eta);

}  // namespace dnts::model
