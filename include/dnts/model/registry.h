// The forecaster registry: DNTS, its ablations and every baseline by name. One line per forecaster
// in src/model/registry.cpp (docs/adding-a-baseline.md). Torch-free: the config layer validates
// `model.kind` against it without pulling in LibTorch.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dnts/config.h"

namespace dnts::model {

class ForecasterImpl;
using Forecaster = std::shared_ptr<ForecasterImpl>;

/// Builds a forecaster for `cfg` with `in_features` input channels and `horizon` forecast buckets.
using ForecasterFactory = std::function<Forecaster(const RunConfig& cfg, int64_t in_features, int64_t horizon)>;

struct ForecasterSpec {
  std::string name;         ///< what --models and model.kind accept
  std::string family;       ///< "dnts", "ablation", "statistical" or "deep"
  std::string description;  ///< one line for `dnts models` and the report
  std::string config;       ///< JSON overlay applied over the run's config (sets model.kind and hyper-parameters)
  ForecasterFactory make;   ///< the architecture; empty for entries that only change settings (ablations)
};

/// Every registered forecaster, in display order.
const std::vector<ForecasterSpec>& forecaster_registry();
/// Names of the entries with an architecture: the values model.kind accepts.
std::vector<std::string> forecaster_kinds();
/// The entry named `name`; throws ConfigError listing the known names otherwise.
const ForecasterSpec& forecaster_spec(const std::string& name);
/// `base` with the entry's overlay applied (validated).
RunConfig config_for(const std::string& name, const RunConfig& base);
/// Builds the forecaster of cfg.model.kind.
Forecaster make_forecaster(const RunConfig& cfg, int64_t in_features, int64_t horizon);

}  // namespace dnts::model
