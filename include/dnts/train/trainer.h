// Training and forecasting of the DNTS model: one Trainer loop (validation reused for test), Adam
// with a learning-rate schedule, gradient clipping, early stopping, best checkpoint and exact resume
// (model, optimiser, RNGs, epoch; written atomically), a NaN/Inf guard naming the batch, and a run
// folder with the resolved config, curves and metrics.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "dnts/config.h"
#include "dnts/data/dataset.h"
#include "dnts/model/forecaster.h"
#include "dnts/train/metrics.h"
#include "dnts/train/samples.h"
#include "dnts/tree/propagation.h"

namespace dnts::train {

struct EpochLog {
  int64_t epoch = 0;
  double loss = 0, main = 0, self = 0, desc = 0, active = 0;  ///< training means
  double val_main = 0, val_mae = 0, val_wape = 0;             ///< validation
  double lr = 0, tau = 0, seconds = 0;
  /// Of `seconds`: time the steps waited for training batches (sub-tables, sampling, targets); with
  /// train.prefetch only what the build of the next batch did not overlap with the current step.
  double batch_seconds = 0;
};

struct TrainOptions {
  std::string run_dir;
  bool resume = false;
  /// Stop (as if interrupted) after this epoch; 0 = run to the end. For resume tests and drills.
  int64_t stop_after_epoch = 0;
  torch::Device device = torch::kCPU;
  /// The samples to train, validate and test on; null: make_samples(table, cfg.data).
  const SampleSplit* split = nullptr;
};

struct TrainResult {
  std::vector<EpochLog> curve;
  int64_t best_epoch = 0;
  double best_val = 0;
  bool stopped_early = false;
  EvalReport val, test;  ///< of the best checkpoint, with the baselines on the same cells
};

/// Trains the forecaster of cfg.model.kind on `ds` and writes the run folder (a forecaster without
/// parameters is evaluated and saved without training). Throws ConfigError on an invalid config.
TrainResult fit(const RunConfig& cfg, const data::Dataset& ds, const tree::PropagationTable& table,
                const TrainOptions& opts);

/// The batches of `samples` for evaluation or inference: grouped by group_batches, deterministic
/// sampling (no rng), targets after `target_cutoff` masked.
std::vector<model::Batch> make_batches(const RunConfig& cfg, const data::Dataset& ds,
                                       const tree::PropagationTable& table,
                                       const std::vector<model::SampleRef>& samples, torch::Device device,
                                       int32_t target_cutoff = INT32_MAX);

/// Evaluates `model` and the baselines on prebuilt batches (eval mode).
EvalReport evaluate(model::Forecaster& model, const RunConfig& cfg, const std::vector<model::Batch>& batches);

/// One optimisation step, exactly as `fit` takes it: zero_grad, forward (in the mode the caller set:
/// train() samples dropout and Gumbel noise at temperature `tau`, eval() does not), loss, backward,
/// gradient-norm clipping at tc.clip_norm (0 = off), optimiser step. Returns the loss terms. Throws
/// InternalError on a non-finite loss or gradient norm, naming the batch with `where()`.
model::LossTerms train_step(model::Forecaster& model, torch::optim::Optimizer& opt, const model::Batch& batch,
                            double tau, const TrainConfig& tc, const ModelConfig& mc,
                            const std::function<std::string()>& where);

/// Learning rate of an epoch (1-based): train.lr, or the cosine schedule down to 5 % at the last epoch.
double lr_at(const TrainConfig& t, int64_t epoch);
/// Gumbel-Softmax temperature of an epoch: geometric from model.tau_start to model.tau_end.
double tau_at(const ModelConfig& m, int64_t epoch, int64_t epochs);

/// Evaluates `model` and the baselines on samples (deterministic sampling, eval mode); targets after
/// `target_cutoff` are not scored.
EvalReport evaluate(model::Forecaster& model, const RunConfig& cfg, const data::Dataset& ds,
                     const tree::PropagationTable& table, const std::vector<model::SampleRef>& samples,
                     torch::Device device, int32_t target_cutoff = INT32_MAX);

/// A trained run: its resolved config and best model.
struct LoadedRun {
  RunConfig cfg;
  model::Forecaster model;
};
LoadedRun load_run(const std::string& run_dir, torch::Device device = torch::kCPU);

/// Forecast samples "now": every item with promoters at `origin` (relative bucket), at that origin.
std::vector<model::SampleRef> samples_at_origin(const tree::PropagationTable& table, int32_t origin);
/// Item-age forecast samples: every item at the origin `age` buckets after its launch (its first
/// bucket is age 1), where that origin lies inside the data.
std::vector<model::SampleRef> samples_at_age(const tree::PropagationTable& table, int64_t age);

/// Writes forecasts for `samples`: item, promoter, day, y_hat, self_sales_hat, p_active per horizon
/// bucket after each sample's origin; then per (item, promoter) the horizon total (day = "total"),
/// then per promoter the total across items (item = "*"). Returns rows written.
int64_t write_forecasts(LoadedRun& run, const data::Dataset& ds, const tree::PropagationTable& table,
                        const std::vector<model::SampleRef>& samples, int64_t horizon, const std::string& path,
                        torch::Device device = torch::kCPU);

}  // namespace dnts::train
