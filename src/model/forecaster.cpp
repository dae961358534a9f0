#include "dnts/model/forecaster.h"

#include "dnts/model/dnts_model.h"

namespace dnts::model {

torch::Tensor log_link(const torch::Tensor& eta) { return torch::exp(eta.clamp_max(kMaxLogMagnitude)); }

LossTerms one_stage_loss(const ForecastOutput& out, const Batch& batch, const ModelConfig& cfg) {
  ModelConfig c = cfg;
  c.one_stage = true;  // main + λ_t horizon total; no decoder terms
  return dnts_loss(out, batch, c);
}

LossTerms ForecasterImpl::loss(const ForecastOutput& out, const Batch& batch, const ModelConfig& cfg) {
  return one_stage_loss(out, batch, cfg);
}

}  // namespace dnts::model
