// Run configuration: one typed struct per area, one declaration per field (key, default, range, doc)
// that drives JSON parsing (unknown keys are errors with a suggestion), validation (every problem
// reported at once), the resolved-config dump and docs/parameters.md.
// Precedence: built-in defaults < config file < CLI flags.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace dnts {

/// How samples (item, origin) are cut and split (METHOD.md §3).
struct DataConfig {
  std::string bucket = "1d";          ///< bucket width (1h, 6h, 1d, 7d, ...)
  std::string tz = "UTC";             ///< fixed-offset zone of naive timestamps and day buckets
  std::string protocol = "calendar";  ///< calendar | age
  int64_t window = 28;                ///< L: input buckets
  int64_t horizon = 7;                ///< H: forecast buckets
  int64_t step = 1;                   ///< calendar: buckets between consecutive origins
  std::vector<int64_t> ages = {6, 12, 24};  ///< age: origins at these ages (buckets after the item's first event)
  double val_fraction = 0.15;         ///< share of the time span (calendar) or of items by launch (age) for validation
  double test_fraction = 0.15;        ///< same for test (the latest)
  int64_t min_history = 1;            ///< calendar: skip origins earlier than this many buckets into the data
};

/// DNTS architecture (METHOD.md §4) and its ablation switches.
struct ModelConfig {
  std::string kind = "dnts";          ///< forecaster architecture: a registry name (`dnts models` lists them)
  int64_t channels = 32;              ///< TCM channels
  int64_t embed_dim = 32;             ///< embedding width D of every module
  int64_t tcm_layers = 2;             ///< dilated inception blocks
  std::vector<int64_t> kernels = {2, 3, 6, 7};  ///< inception kernel widths
  int64_t sample_k = 32;              ///< K: descendants sampled per promoter by DFS
  bool gcn = true;                    ///< Local Spatial Module (false = --no-gcn)
  bool hypergraph = true;             ///< Global Hypergraph Module (false = --no-hypergraph)
  bool activation = true;             ///< activation-probability head (false = --no-activation)
  bool one_stage = false;             ///< predict y directly from the fused embedding (--one-stage)
  double dropout = 0.1;               ///< dropout in the TCM and fusion MLP
  double tau_start = 1.0;             ///< Gumbel-Softmax temperature at the first epoch
  double tau_end = 0.3;               ///< temperature at the last epoch (geometric annealing)
  std::string loss = "log1p";         ///< log1p | poisson | tweedie
  double tweedie_power = 1.5;         ///< Tweedie power p in (1, 2)
  double lambda_self = 1.0;           ///< λ_s: self-sales auxiliary loss weight
  double lambda_desc = 0.5;           ///< λ_d: descendant-routing BCE weight
  double lambda_active = 0.5;         ///< λ_a: activation BCE weight
  double lambda_total = 0.5;          ///< λ_t: regression loss on each row's horizon total [ours]
  int64_t season = 0;                 ///< seasonal baselines: period in buckets (0 = a week of day buckets, else a day)
  int64_t ma_window = 0;              ///< moving average: buckets averaged (0 = the season)
  double smoothing_alpha = 0.1;       ///< Croston / TSB: demand-size smoothing α
  double smoothing_beta = 0.1;        ///< TSB: demand-probability smoothing β
};

/// Optimisation.
struct TrainConfig {
  int64_t epochs = 30;                ///< maximum epochs
  double lr = 2e-3;                   ///< Adam learning rate
  double weight_decay = 0.0;          ///< Adam weight decay
  std::string schedule = "cosine";    ///< cosine | constant
  double clip_norm = 1.0;             ///< gradient-norm clip (0 = off)
  int64_t patience = 5;               ///< early stopping: epochs without validation improvement
  int64_t batch_samples = 8;          ///< (item, origin) samples per batch
  uint64_t seed = 1;                  ///< seed of every random choice
  int64_t threads = 1;                ///< intra-op threads (0 = all cores; 1 measured fastest, see docs/results.md)
  bool prefetch = true;               ///< build the next training batch on another thread during each step (same results)
};

struct RunConfig {
  DataConfig data;
  ModelConfig model;
  TrainConfig train;

  /// Applies a JSON object over the current values. Unknown keys and wrong types throw ConfigError
  /// naming `source`, the key and (for unknown keys) the closest known key.
  void apply_json(const nlohmann::json& j, const std::string& source);
  /// Reads a JSON config file (missing file = ConfigError).
  void load_file(const std::string& path);
  /// Every violation at once, as one ConfigError.
  void validate() const;
  nlohmann::json to_json() const;
  /// Markdown table of every field (docs/parameters.md).
  static std::string parameters_markdown();
};

}  // namespace dnts
