// `dnts bench train`: the DNTS training step of this engine against the same model in PyTorch Python
// (bench/py/dnts_train_peer.py), side by side in one run: the same initial weights, the same batches
// (built once here, exported in the tensor exchange format), the same Adam settings, clipping, dtype
// and thread count. Per-step times (median, p90), per-epoch times, speed-up ratios, and the loss
// curves of a deterministic mode (no dropout, no Gumbel noise, optimiser updates) compared step by step.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dnts/config.h"
#include "dnts/data/dataset.h"
#include "dnts/tree/propagation.h"

namespace dnts::train {

/// Options of bench_train.
///
/// Example:
/// ```
/// BenchTrainOptions o;
/// o.steps = 20;
/// o.peer = "bench/py/dnts_train_peer.py";
/// BenchTrainReport r = bench_train(cfg, ds, table, o);  // r.text: the table; r.json: every figure
/// ```
struct BenchTrainOptions {
  /// Training steps per side and mode, over the first epoch's batches in training order (cycling
  /// when there are fewer batches); 0 = exactly one full epoch.
  int64_t steps = 30;
  int64_t threads = 1;              ///< intra-op threads of both sides (torch::set_num_threads / torch.set_num_threads)
  std::string dtype = "float32";    ///< float32 | float64, both sides
  /// Modes timed: "exact" (eval-mode forward: no dropout, routing weight = sigmoid(logit); Adam
  /// updates; the loss curves are compared) and "train" (dropout and Gumbel noise, as in training).
  std::vector<std::string> modes = {"exact", "train"};
  std::string python = "/usr/bin/python3";  ///< the peer's interpreter; "" = C++ only
  std::string peer;                 ///< path of bench/py/dnts_train_peer.py
  std::string export_dir;           ///< weights, batches, peer results; "" = a temporary folder, removed after
};

/// Figures of one bench_train run.
struct BenchTrainReport {
  nlohmann::json json;              ///< every figure, per side and mode (`dnts bench train --json`)
  std::string text;                 ///< the table `dnts bench train` prints
  bool python_ran = false;          ///< false: no peer (python "" or it cannot import torch)
  std::string python_skip;          ///< why the peer did not run
  /// Exact mode, C++ vs each Python variant: max over the first min(5, steps) steps of
  /// |loss_c++ - loss_py| / max(|loss_py|, 1e-12), and over every step.
  double loss_rel_diff_first = 0, loss_rel_diff_all = 0;
};

/// Runs the benchmark (cfg.model.kind must be "dnts"; ablation switches are honoured). Throws
/// ConfigError on bad options, InternalError when the peer fails.
BenchTrainReport bench_train(const RunConfig& cfg, const data::Dataset& ds, const tree::PropagationTable& table,
                             const BenchTrainOptions& opts);

}  // namespace dnts::train
