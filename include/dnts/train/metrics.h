// Forecast error and ranking metrics, accumulated batch by batch over the cells (row, horizon bucket)
// that lie inside the data, over each row's horizon total Σ_h y, per horizon bucket, and as rankings of
// promoters by predicted horizon total (per item and across items). Zeros are real outcomes: never
// masked. The same accumulator scores DNTS and every baseline, so each comparison is on the same cells.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>
#include <torch/torch.h>

namespace dnts::train {

/// Ranking quality of promoters ordered by predicted horizon total, averaged over groups.
struct RankMetrics {
  double ndcg = NAN, recall = NAN, spearman = NAN;  ///< means over the groups where each is defined
  int64_t groups = 0;                                ///< groups with at least 2 promoters and some sales
  int64_t k = 0;                                     ///< the cut-off of NDCG@k and recall@k
};

/// One forecaster's error on a set of samples.
struct EvalMetrics {
  double main = 0;                                          ///< the training objective's main term
  double mae = 0, rmse = 0, wape = 0, smape = 0, rmsle = 0;  ///< per (row, bucket) cell
  double total_mae = 0, total_rmse = 0, total_wape = 0, total_smape = 0, total_rmsle = 0;  ///< on horizon totals
  int64_t cells = 0, rows = 0;
  /// Per horizon bucket h = 1..H (index h-1), on the cells of that bucket.
  std::vector<double> h_mae, h_rmse, h_wape, h_smape, h_rmsle;
  std::vector<int64_t> h_cells;
  RankMetrics rank_item;    ///< per (item, origin): its promoters ranked by predicted total
  RankMetrics rank_across;  ///< per promoter, totals summed over every item and origin of the set
};

/// Tie-aware ranking metrics of one list (McSherry & Najork 2008: tied predictions share their positions'
/// discounts, so a constant forecast scores what a random order would on average). Gain = actual value.
/// NDCG@k: DCG of the predicted order / DCG of the ideal order; NaN when no actual value is positive.
double ndcg_at_k(const std::vector<double>& pred, const std::vector<double>& actual, int64_t k);
/// Recall@k: expected share of the relevant rows found in the predicted top k, where relevant = actual > 0
/// and at least the k-th largest actual value; divided by min(k, #relevant). NaN when nothing is relevant.
double recall_at_k(const std::vector<double>& pred, const std::vector<double>& actual, int64_t k);
/// Spearman's rank correlation with average ranks for ties. NaN for fewer than 2 values or constant
/// actuals; 0 for constant predictions (no ranking information) against varying actuals.
double spearman(const std::vector<double>& pred, const std::vector<double>& actual);

/// sMAPE of one value pair: 2|p - y| / (|p| + |y|), 0 when both are 0 (in [0, 2]).
double smape_term(double pred, double actual);

/// Sums of errors; finish() turns them into metrics. WAPE = Σ|ŷ - y| / Σ y (NaN when Σ y = 0: no
/// forecaster looks perfect on a set without sales; JSON writes it as null).
class MetricAccumulator {
 public:
  explicit MetricAccumulator(int64_t k_item = 10, int64_t k_across = 100) : k_item_(k_item), k_across_(k_across) {}
  /// pred, y, mask: [N, H]; mask is 1 on scored cells. A row counts in the totals when any cell is scored.
  /// row_offset (size samples + 1): rows of each (item, origin) group, for the per-item ranking;
  /// row_promoter (size N): promoter ids, for the ranking across items. Either may be null.
  void add(const torch::Tensor& pred, const torch::Tensor& y, const torch::Tensor& mask,
           const std::vector<int64_t>* row_offset = nullptr, const std::vector<uint32_t>* row_promoter = nullptr);
  EvalMetrics finish() const;

 private:
  int64_t k_item_, k_across_;
  double abs_ = 0, sq_ = 0, sq_log_ = 0, smape_ = 0, sum_y_ = 0;
  double t_abs_ = 0, t_sq_ = 0, t_sq_log_ = 0, t_smape_ = 0, t_sum_y_ = 0;
  int64_t cells_ = 0, rows_ = 0;
  std::vector<double> h_abs_, h_sq_, h_sq_log_, h_smape_, h_sum_y_;
  std::vector<int64_t> h_cells_;
  double r_ndcg_ = 0, r_recall_ = 0, r_spearman_ = 0;
  int64_t r_groups_ = 0, r_ndcg_n_ = 0, r_recall_n_ = 0, r_spearman_n_ = 0;
  std::unordered_map<uint32_t, std::pair<double, double>> across_;  ///< promoter -> (Σ predicted, Σ actual) totals
};

/// The naive forecasts `dnts train` / `dnts run` report next to the model (registry names).
const std::vector<std::string>& baseline_names();

/// A forecaster and the baselines on the same cells.
struct EvalReport {
  std::string model_name = "dnts";
  EvalMetrics model;
  std::vector<std::pair<std::string, EvalMetrics>> baselines;
};

nlohmann::json rank_json(const RankMetrics& r);
nlohmann::json metrics_json(const EvalMetrics& m);
nlohmann::json report_json(const EvalReport& r);
/// A fixed-width comparison table: one line per forecaster, cell and horizon-total metrics (a total is
/// one (item, origin, promoter) row's Σ over its scored horizon buckets) and the per-item ranking.
std::string format_report(const EvalReport& r, const std::string& title);

}  // namespace dnts::train
