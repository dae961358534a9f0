// Training and forecasting of the DNTS model: one Trainer loop (validation reused for test), Adam
// with a learning-rate schedule, gradient clipping, early stopping, best checkpoint and exact resume
// (model, optimiser, RNGs, epoch; written atomically), a NaN/Inf guard naming the batch, and a run
// folder with the resolved config, curves and metrics.
#pragma once

#include <string>
#include <vector>

#include <torch/torch.h>

#include "dnts/config.h"
#include "dnts/data/dataset.h"
#include "dnts/model/dnts_model.h"
#include "dnts/tree/propagation.h"

namespace dnts::train {

struct EpochLog {
  int64_t epoch = 0;
  double loss = 0, main = 0, self = 0, desc = 0, active = 0;  ///< training means
  double val_main = 0, val_mae = 0, val_wape = 0;             ///< validation
  double lr = 0, tau = 0, seconds = 0;
};

/// Forecast error of a set of samples, per (row, bucket) inside the data.
struct EvalMetrics {
  double main = 0;  ///< the training objective's main term
  double mae = 0, rmse = 0, wape = 0, rmsle = 0;  ///< per (row, bucket) cell
  double total_mae = 0, total_wape = 0;            ///< on each row's horizon total Σ_h y
  int64_t cells = 0, rows = 0;
};

struct TrainOptions {
  std::string run_dir;
  bool resume = false;
  /// Stop (as if interrupted) after this epoch; 0 = run to the end. For resume tests and drills.
  int64_t stop_after_epoch = 0;
  torch::Device device = torch::kCPU;
};

struct TrainResult {
  std::vector<EpochLog> curve;
  int64_t best_epoch = 0;
  double best_val = 0;
  bool stopped_early = false;
  EvalMetrics val, test;  ///< of the best checkpoint
};

/// Trains on `ds` and writes the run folder. Throws ConfigError on an invalid config.
TrainResult fit(const RunConfig& cfg, const data::Dataset& ds, const tree::PropagationTable& table,
                const TrainOptions& opts);

/// Evaluates `model` on samples (deterministic sampling, eval mode); targets after `target_cutoff`
/// are not scored.
EvalMetrics evaluate(model::DntsModel& model, const RunConfig& cfg, const data::Dataset& ds,
                     const tree::PropagationTable& table, const std::vector<model::SampleRef>& samples,
                     torch::Device device, int32_t target_cutoff = INT32_MAX);

/// A trained run: its resolved config and best model.
struct LoadedRun {
  RunConfig cfg;
  model::DntsModel model{nullptr};
};
LoadedRun load_run(const std::string& run_dir, torch::Device device = torch::kCPU);

/// Writes forecasts for every item with promoters at `origin` (relative bucket): item, promoter, day,
/// y_hat, self_sales_hat, p_active per horizon bucket; then per (item, promoter) the horizon total
/// (day = "total"), then per promoter the total across items (item = "*"). Returns rows written.
int64_t write_forecasts(LoadedRun& run, const data::Dataset& ds, const tree::PropagationTable& table, int32_t origin,
                        int64_t horizon, const std::string& path, torch::Device device = torch::kCPU);

}  // namespace dnts::train
