// Model and training flags shared by `dnts train` and `dnts run`.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "common.h"
#include "dnts/config.h"
#include "dnts/model/registry.h"

namespace dnts::cli {

struct ModelFlags {
  std::string config, model;
  std::string protocol;
  int64_t window = 0, horizon = 0, epochs = 0;
  std::vector<int64_t> ages;
  uint64_t seed = 0;
  bool no_gcn = false, no_hypergraph = false, no_activation = false, one_stage = false;
  void add(CLI::App* cmd) {
    cmd->add_option("--config", config, "JSON config file (see docs/parameters.md)");
    cmd->add_option("--model", model, "Forecaster: dnts (default), an ablation or a baseline (`dnts models` lists them)");
    cmd->add_option("--protocol", protocol, "Origin protocol: calendar | age");
    cmd->add_option("--ages", ages, "Item-age protocol: origins at these ages in buckets (e.g. 6 12 24)");
    cmd->add_option("--window", window, "L: input buckets");
    cmd->add_option("--horizon", horizon, "H: forecast buckets");
    cmd->add_option("--epochs", epochs, "Maximum epochs");
    cmd->add_option("--seed", seed, "Seed of every random choice");
    cmd->add_flag("--no-gcn", no_gcn, "Ablation: without the Local Spatial Module");
    cmd->add_flag("--no-hypergraph", no_hypergraph, "Ablation: without the Global Hypergraph Module");
    cmd->add_flag("--no-activation", no_activation, "Ablation: without the activation head");
    cmd->add_flag("--one-stage", one_stage, "Ablation: predict y directly from the fused embedding");
  }
  // Defaults < config file < flags.
  RunConfig resolve(const CLI::App* cmd, const DataArgs& data) const {
    RunConfig cfg;
    if (!config.empty()) cfg.load_file(config);
    if (!model.empty()) cfg = model::config_for(model, cfg);
    if (cmd->count("--bucket")) cfg.data.bucket = data.bucket;
    if (cmd->count("--tz")) cfg.data.tz = data.tz;
    if (cmd->count("--threads")) cfg.train.threads = data.threads;
    if (!protocol.empty()) cfg.data.protocol = protocol;
    if (!ages.empty()) cfg.data.ages = ages;
    if (window > 0) cfg.data.window = window;
    if (horizon > 0) cfg.data.horizon = horizon;
    if (epochs > 0) cfg.train.epochs = epochs;
    if (cmd->count("--seed")) cfg.train.seed = seed;
    if (no_gcn) cfg.model.gcn = false;
    if (no_hypergraph) cfg.model.hypergraph = false;
    if (no_activation) cfg.model.activation = false;
    if (one_stage) cfg.model.one_stage = true;
    cfg.validate();
    return cfg;
  }
};

}  // namespace dnts::cli
