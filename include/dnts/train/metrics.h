// Forecast error metrics, accumulated batch by batch over the cells (row, horizon bucket) that lie
// inside the data, and over each row's horizon total Σ_h y. Zeros are real outcomes: never masked.
// The same accumulator scores DNTS and the naive baselines (zero, last value, mean rate since launch),
// so every comparison is on exactly the same cells.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>
#include <torch/torch.h>

namespace dnts::train {

/// One forecaster's error on a set of samples.
struct EvalMetrics {
  double main = 0;                                          ///< the training objective's main term (model only)
  double mae = 0, rmse = 0, wape = 0, rmsle = 0;            ///< per (row, bucket) cell
  double total_mae = 0, total_rmse = 0, total_wape = 0, total_rmsle = 0;  ///< on each row's horizon total
  int64_t cells = 0, rows = 0;
};

/// Sums of errors; finish() turns them into metrics. WAPE = Σ|ŷ - y| / Σ y (NaN when Σ y = 0: no
/// forecaster looks perfect on a set without sales; JSON writes it as null).
class MetricAccumulator {
 public:
  /// pred, y, mask: [N, H]; mask is 1 on scored cells. A row counts in the totals when any cell is scored.
  void add(const torch::Tensor& pred, const torch::Tensor& y, const torch::Tensor& mask);
  EvalMetrics finish() const;

 private:
  double abs_ = 0, sq_ = 0, sq_log_ = 0, sum_y_ = 0;
  double t_abs_ = 0, t_sq_ = 0, t_sq_log_ = 0, t_sum_y_ = 0;
  int64_t cells_ = 0, rows_ = 0;
};

/// The naive forecasts every model is compared with, per row and horizon bucket: "zero", "last"
/// (y at the origin, repeated), "mean_rate" (mean y per bucket since the item's launch, repeated).
const std::vector<std::string>& baseline_names();
/// last_scale, mean_scale: [N] -> one [N, H] forecast per name of baseline_names(), in that order.
std::vector<torch::Tensor> baseline_forecasts(const torch::Tensor& last_scale, const torch::Tensor& mean_scale,
                                              int64_t horizon);

/// DNTS and the baselines on the same cells.
struct EvalReport {
  EvalMetrics model;
  std::vector<std::pair<std::string, EvalMetrics>> baselines;
};

nlohmann::json metrics_json(const EvalMetrics& m);
nlohmann::json report_json(const EvalReport& r);
/// A fixed-width comparison table: one line per forecaster, cell and horizon-total metrics (a total is
/// one (item, origin, promoter) row's Σ over its scored horizon buckets).
std::string format_report(const EvalReport& r, const std::string& title);

}  // namespace dnts::train
