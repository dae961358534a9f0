// Rolling-origin backtests (METHOD.md §3 protocols): every forecaster of a list trained (deep models:
// once per seed) and scored on the same test samples, at several horizon lengths, with every metric of
// metrics.h. Calendar protocol: test origins every data.step buckets over the test period, refit once
// or every `refit` origins on the data before them. Item-age protocol: origins at data.ages after each
// test item's launch (the items launched last). The tail of the test set is never dropped: a horizon
// reaching past the data is scored on the buckets inside it; zeros are scored like any outcome.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "dnts/config.h"
#include "dnts/data/dataset.h"
#include "dnts/train/metrics.h"
#include "dnts/tree/propagation.h"

namespace dnts::train {

struct BacktestOptions {
  std::vector<std::string> models;  ///< registry names
  std::vector<int64_t> horizons;    ///< horizon lengths scored (prefixes of one max-horizon forecast)
  int64_t seeds = 1;                ///< trained forecasters: train.seed, train.seed + 1, ...
  int64_t refit = 0;                ///< calendar: refit every `refit` test origins (0 = once)
  int64_t top_promoters = 10;       ///< series kept for the report's forecast-vs-actual plots
  std::string out_dir;
  std::string data_dir;             ///< recorded in backtest.json (the report draws a promotion tree from it)
};

/// One forecaster, one seed, one horizon length.
struct BacktestScore {
  std::string model;
  uint64_t seed = 0;
  int64_t horizon = 0;
  EvalMetrics metrics;
  double train_seconds = 0;
};

struct BacktestResult {
  std::vector<BacktestScore> scores;
  int64_t test_samples = 0, blocks = 0;
};

/// Runs the backtest and writes out_dir: backtest.json (every score, means and standard deviations over
/// seeds), summary.md (one table per horizon, best per column in bold), top_promoters.csv (per model,
/// Σ ŷ and Σ y per horizon bucket of the promoters with the largest actual totals), config.json and a
/// run folder per trained model under runs/.
BacktestResult backtest(const RunConfig& base, const data::Dataset& ds, const tree::PropagationTable& table,
                        const BacktestOptions& opts);

/// Merges backtests of disjoint model lists run on the same data and settings (for instance one per
/// core) into out_dir: backtest.json with every score and a recomputed summary, summary.md and
/// config.json. Throws ConfigError naming the part whose data, protocol, horizons, test samples or
/// configuration differ, or a model that appears twice.
void merge_backtests(const std::vector<std::string>& dirs, const std::string& out_dir);

/// Default horizon lengths of a protocol: calendar 7, 14, 30 buckets; age 24, 72, 168 buckets.
std::vector<int64_t> default_horizons(const std::string& protocol);

/// summary.md of a backtest.json: one Markdown table per horizon (mean ± std over seeds).
std::string backtest_markdown(const nlohmann::json& j);

}  // namespace dnts::train
