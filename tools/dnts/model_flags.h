// Model and training flags shared by `dnts train` and `dnts run`.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "common.h"
#include "dnts/config.h"
#include "dnts/error.h"
#include "dnts/model/registry.h"

namespace dnts::cli {

struct ModelFlags {
  std::string config, model;
  std::string protocol;
  int64_t window = 0, horizon = 0, epochs = 0;
  std::vector<int64_t> ages;
  uint64_t seed = 0;
  bool no_gcn = false, no_hypergraph = false, no_activation = false, one_stage = false;
  std::vector<std::string> sets;
  void add(CLI::App* cmd) {
    cmd->add_option("--config", config, "JSON config file (see docs/parameters.md)");
    cmd->add_option("--set", sets,
                    "Override one setting, repeatable: --set model.loss=poisson --set model.kernels=[2,3] "
                    "(the value is JSON, or a plain string)");
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
    for (const std::string& s : sets) {
      const size_t eq = s.find('=');
      const size_t dot = s.find('.');
      DNTS_CHECK(eq != std::string::npos && dot != std::string::npos && dot < eq, ConfigError,
                 "--set {}: expected SECTION.KEY=VALUE, e.g. --set model.loss=poisson", s);
      const std::string value = s.substr(eq + 1);
      nlohmann::json v = nlohmann::json::parse(value, nullptr, /*allow_exceptions=*/false);
      if (v.is_discarded()) v = value;  // a bare word: a string setting
      cfg.apply_json({{s.substr(0, dot), {{s.substr(dot + 1, eq - dot - 1), v}}}}, "--set " + s);
    }
    cfg.validate();
    return cfg;
  }
};

}  // namespace dnts::cli
