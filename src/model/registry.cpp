// The forecaster registry. Adding a forecaster: write its file under src/model/baselines/, declare its
// factory below, add one line to the table (docs/adding-a-baseline.md).
#include "dnts/model/registry.h"

#include <nlohmann/json.hpp>

#include "dnts/error.h"
#include "dnts/model/dnts_model.h"

namespace dnts::model {

Forecaster make_zero(const RunConfig&, int64_t, int64_t);
Forecaster make_last(const RunConfig&, int64_t, int64_t);
Forecaster make_mean_rate(const RunConfig&, int64_t, int64_t);
Forecaster make_seasonal_naive(const RunConfig&, int64_t, int64_t);
Forecaster make_moving_average(const RunConfig&, int64_t, int64_t);
Forecaster make_croston(const RunConfig&, int64_t, int64_t);
Forecaster make_tsb(const RunConfig&, int64_t, int64_t);
Forecaster make_tcn(const RunConfig&, int64_t, int64_t);
Forecaster make_gru(const RunConfig&, int64_t, int64_t);
Forecaster make_lstm(const RunConfig&, int64_t, int64_t);
Forecaster make_dlinear(const RunConfig&, int64_t, int64_t);
Forecaster make_stgnn(const RunConfig&, int64_t, int64_t);

namespace {

Forecaster make_dnts(const RunConfig& cfg, int64_t f, int64_t h) { return DntsModel(cfg.model, f, h).ptr(); }

}  // namespace

const std::vector<ForecasterSpec>& forecaster_registry() {
  static const std::vector<ForecasterSpec> kRegistry = {
      // name, family, description, config overlay, architecture
      {"dnts", "dnts", "DNTS: TCM + LSM + GHM + two-stage decoder (METHOD.md)", R"({"model": {"kind": "dnts"}})", make_dnts},
      {"dnts-no-gcn", "ablation", "DNTS without the Local Spatial Module", R"({"model": {"kind": "dnts", "gcn": false}})", {}},
      {"dnts-no-hypergraph", "ablation", "DNTS without the Global Hypergraph Module", R"({"model": {"kind": "dnts", "hypergraph": false}})", {}},
      {"dnts-no-activation", "ablation", "DNTS without the activation head", R"({"model": {"kind": "dnts", "activation": false}})", {}},
      {"dnts-one-stage", "ablation", "DNTS predicting y directly from the fused embedding", R"({"model": {"kind": "dnts", "one_stage": true}})", {}},
      {"zero", "statistical", "forecasts no sales", R"({"model": {"kind": "zero"}})", make_zero},
      {"last", "statistical", "y at the origin, repeated", R"({"model": {"kind": "last"}})", make_last},
      {"seasonal_naive", "statistical", "y one season back (7 days / 24 hours)", R"({"model": {"kind": "seasonal_naive"}})", make_seasonal_naive},
      {"moving_average", "statistical", "mean y over the last season", R"({"model": {"kind": "moving_average"}})", make_moving_average},
      {"mean_rate", "statistical", "mean y per bucket since the item's launch", R"({"model": {"kind": "mean_rate"}})", make_mean_rate},
      {"croston", "statistical", "Croston's intermittent-demand method (alpha 0.1)", R"({"model": {"kind": "croston"}})", make_croston},
      {"tsb", "statistical", "Teunter-Syntetos-Babai (alpha 0.1, beta 0.1)", R"({"model": {"kind": "tsb"}})", make_tsb},
      {"tcn", "deep", "dilated causal TCN, one stage", R"({"model": {"kind": "tcn"}})", make_tcn},
      {"gru", "deep", "GRU over the window, one stage", R"({"model": {"kind": "gru"}})", make_gru},
      {"lstm", "deep", "LSTM over the window, one stage", R"({"model": {"kind": "lstm"}})", make_lstm},
      {"dlinear", "deep", "DLinear on log1p(y): trend + remainder linear maps", R"({"model": {"kind": "dlinear"}})", make_dlinear},
      {"stgnn", "deep", "temporal conv + GCN over promotion links, one stage", R"({"model": {"kind": "stgnn"}})", make_stgnn},
  };
  return kRegistry;
}

std::vector<std::string> forecaster_kinds() {
  std::vector<std::string> kinds;
  for (const ForecasterSpec& s : forecaster_registry())
    if (s.make) kinds.push_back(s.name);
  return kinds;
}

const ForecasterSpec& forecaster_spec(const std::string& name) {
  std::string known;
  for (const ForecasterSpec& s : forecaster_registry()) {
    if (s.name == name) return s;
    known += (known.empty() ? "" : ", ") + s.name;
  }
  throw ConfigError(fmt::format("unknown forecaster '{}'; known: {}", name, known));
}

RunConfig config_for(const std::string& name, const RunConfig& base) {
  const ForecasterSpec& spec = forecaster_spec(name);
  RunConfig cfg = base;
  cfg.apply_json(nlohmann::json::parse(spec.config), "forecaster '" + name + "'");
  cfg.validate();
  return cfg;
}

Forecaster make_forecaster(const RunConfig& cfg, int64_t in_features, int64_t horizon) {
  const ForecasterSpec& spec = forecaster_spec(cfg.model.kind);
  DNTS_CHECK(bool(spec.make), ConfigError, "model.kind '{}' is a settings preset, not an architecture", cfg.model.kind);
  return spec.make(cfg, in_features, horizon);
}

}  // namespace dnts::model
