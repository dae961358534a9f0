#include "dnts/config.h"

#include <algorithm>
#include <fstream>
#include <functional>
#include <limits>

#include <nlohmann/json.hpp>

#include "dnts/error.h"
#include "dnts/model/registry.h"

namespace dnts {
namespace {

using json = nlohmann::json;

struct Field {
  std::string key;    // "model.embed_dim"
  std::string type;   // for docs
  std::string range;  // for docs
  std::string doc;
  std::function<json(const RunConfig&)> get;
  std::function<void(RunConfig&, const json&)> set;    // throws json::type_error on a wrong type
  std::function<std::string(const RunConfig&)> check;  // "" when valid
};

template <typename S, typename T>
Field make(const std::string& key, S RunConfig::*section, T S::*member, std::string type, std::string range,
           std::string doc, std::function<std::string(const T&)> check) {
  Field f;
  f.key = key;
  f.type = std::move(type);
  f.range = std::move(range);
  f.doc = std::move(doc);
  f.get = [=](const RunConfig& c) { return json((c.*section).*member); };
  f.set = [=](RunConfig& c, const json& v) {
    if constexpr (std::is_same_v<T, bool>) {
      if (!v.is_boolean()) throw ConfigError("expected true or false");
    } else if constexpr (std::is_integral_v<T>) {
      if (!v.is_number_integer()) throw ConfigError("expected an integer");
    } else if constexpr (std::is_floating_point_v<T>) {
      if (!v.is_number()) throw ConfigError("expected a number");
    } else if constexpr (std::is_same_v<T, std::string>) {
      if (!v.is_string()) throw ConfigError("expected a string");
    } else {
      if (!v.is_array()) throw ConfigError("expected an array of integers");
      for (const auto& e : v)
        if (!e.is_number_integer()) throw ConfigError("expected an array of integers");
    }
    (c.*section).*member = v.get<T>();
  };
  f.check = [=](const RunConfig& c) { return check((c.*section).*member); };
  return f;
}

std::function<std::string(const int64_t&)> int_range(int64_t lo, int64_t hi) {
  return [=](const int64_t& v) {
    return (v < lo || v > hi) ? fmt::format("= {}: must be in [{}, {}]", v, lo, hi) : std::string();
  };
}
std::function<std::string(const uint64_t&)> any_u64() {
  return [](const uint64_t&) { return std::string(); };
}
std::function<std::string(const double&)> real_range(double lo, double hi, bool open_lo = false) {
  return [=](const double& v) {
    bool bad = !(v <= hi) || (open_lo ? !(v > lo) : !(v >= lo));
    return bad ? fmt::format("= {}: must be in {}{}, {}]", v, open_lo ? "(" : "[", lo, hi) : std::string();
  };
}
std::function<std::string(const std::string&)> one_of(std::vector<std::string> choices) {
  return [=](const std::string& v) {
    if (std::find(choices.begin(), choices.end(), v) != choices.end()) return std::string();
    std::string list;
    for (const auto& c : choices) list += (list.empty() ? "" : ", ") + c;
    return fmt::format("= '{}': must be one of {}", v, list);
  };
}
std::function<std::string(const std::string&)> any_string() {
  return [](const std::string&) { return std::string(); };
}
std::function<std::string(const std::string&)> known_kind() {
  return [](const std::string& v) {
    std::vector<std::string> kinds = model::forecaster_kinds();
    return one_of(kinds)(v);
  };
}
std::function<std::string(const bool&)> any_bool() {
  return [](const bool&) { return std::string(); };
}
std::function<std::string(const std::vector<int64_t>&)> positive_list(int64_t hi) {
  return [=](const std::vector<int64_t>& v) {
    if (v.empty()) return std::string("must not be empty");
    for (int64_t x : v)
      if (x < 1 || x > hi) return fmt::format("contains {}: every entry must be in [1, {}]", x, hi);
    return std::string();
  };
}

const std::vector<Field>& fields() {
  static const std::vector<Field> kFields = [] {
    using D = DataConfig;
    using M = ModelConfig;
    using T = TrainConfig;
    const auto d = &RunConfig::data;
    const auto m = &RunConfig::model;
    const auto t = &RunConfig::train;
    constexpr int64_t kBig = int64_t(1) << 40;
    std::vector<Field> f;
    f.push_back(make("data.bucket", d, &D::bucket, "string", "1h, 6h, 1d, 7d, ...", "bucket width", any_string()));
    f.push_back(make("data.tz", d, &D::tz, "string", "UTC, +08:00, ...", "zone of naive timestamps and day buckets", any_string()));
    f.push_back(make("data.protocol", d, &D::protocol, "string", "calendar | age",
                     "origins every `step` buckets split by calendar time, or at item ages split by launch time",
                     one_of({"calendar", "age"})));
    f.push_back(make("data.window", d, &D::window, "int", "[1, 10000]", "L: input buckets", int_range(1, 10000)));
    f.push_back(make("data.horizon", d, &D::horizon, "int", "[1, 10000]", "H: forecast buckets", int_range(1, 10000)));
    f.push_back(make("data.step", d, &D::step, "int", "[1, 10000]", "calendar: buckets between origins", int_range(1, 10000)));
    f.push_back(make("data.ages", d, &D::ages, "int list", "each >= 1", "age: origins, in buckets after the item's first event", positive_list(kBig)));
    f.push_back(make("data.val_fraction", d, &D::val_fraction, "real", "[0, 0.9]", "validation share", real_range(0, 0.9)));
    f.push_back(make("data.test_fraction", d, &D::test_fraction, "real", "[0, 0.9]", "test share (latest)", real_range(0, 0.9)));
    f.push_back(make("data.min_history", d, &D::min_history, "int", "[1, 10000]", "calendar: first origin's bucket index", int_range(1, 10000)));
    f.push_back(make("model.kind", m, &M::kind, "string", "dnts, tcn, gru, ... (`dnts models`)",
                     "forecaster architecture (DNTS or a baseline)", known_kind()));
    f.push_back(make("model.channels", m, &M::channels, "int", "[1, 4096]", "TCM channels (a multiple of the number of kernels)", int_range(1, 4096)));
    f.push_back(make("model.embed_dim", m, &M::embed_dim, "int", "[1, 4096]", "embedding width D", int_range(1, 4096)));
    f.push_back(make("model.tcm_layers", m, &M::tcm_layers, "int", "[1, 16]", "dilated inception blocks", int_range(1, 16)));
    f.push_back(make("model.kernels", m, &M::kernels, "int list", "each in [1, 64]", "inception kernel widths", positive_list(64)));
    f.push_back(make("model.sample_k", m, &M::sample_k, "int", "[0, 4096]", "K: descendants sampled per promoter (DFS)", int_range(0, 4096)));
    f.push_back(make("model.gcn", m, &M::gcn, "bool", "", "Local Spatial Module", any_bool()));
    f.push_back(make("model.hypergraph", m, &M::hypergraph, "bool", "", "Global Hypergraph Module", any_bool()));
    f.push_back(make("model.activation", m, &M::activation, "bool", "", "activation-probability head", any_bool()));
    f.push_back(make("model.one_stage", m, &M::one_stage, "bool", "", "predict y directly (no two-stage decoder)", any_bool()));
    f.push_back(make("model.dropout", m, &M::dropout, "real", "[0, 0.9]", "dropout", real_range(0, 0.9)));
    f.push_back(make("model.tau_start", m, &M::tau_start, "real", "(0, 100]", "Gumbel-Softmax temperature, first epoch", real_range(0, 100, true)));
    f.push_back(make("model.tau_end", m, &M::tau_end, "real", "(0, 100]", "temperature, last epoch", real_range(0, 100, true)));
    f.push_back(make("model.loss", m, &M::loss, "string", "log1p | poisson | tweedie", "regression loss", one_of({"log1p", "poisson", "tweedie"})));
    f.push_back(make("model.tweedie_power", m, &M::tweedie_power, "real", "(1, 2)", "Tweedie power", real_range(1, 1.999, true)));
    f.push_back(make("model.lambda_self", m, &M::lambda_self, "real", "[0, 100]", "λ_s self-sales loss weight", real_range(0, 100)));
    f.push_back(make("model.lambda_desc", m, &M::lambda_desc, "real", "[0, 100]", "λ_d routing BCE weight", real_range(0, 100)));
    f.push_back(make("model.lambda_active", m, &M::lambda_active, "real", "[0, 100]", "λ_a activation BCE weight", real_range(0, 100)));
    f.push_back(make("model.lambda_total", m, &M::lambda_total, "real", "[0, 100]",
                     "λ_t: weight of the regression loss on each row's horizon total Σ_h ŷ vs Σ_h y [ours]", real_range(0, 100)));
    f.push_back(make("model.season", m, &M::season, "int", "[0, 10000]", "seasonal baselines: period in buckets (0 = 7 for day buckets, else one day)", int_range(0, 10000)));
    f.push_back(make("model.ma_window", m, &M::ma_window, "int", "[0, 10000]", "moving average: buckets averaged (0 = the season)", int_range(0, 10000)));
    f.push_back(make("model.smoothing_alpha", m, &M::smoothing_alpha, "real", "(0, 1]", "Croston / TSB demand-size smoothing α", real_range(0, 1, true)));
    f.push_back(make("model.smoothing_beta", m, &M::smoothing_beta, "real", "(0, 1]", "TSB demand-probability smoothing β", real_range(0, 1, true)));
    f.push_back(make("train.epochs", t, &T::epochs, "int", "[1, 100000]", "maximum epochs", int_range(1, 100000)));
    f.push_back(make("train.lr", t, &T::lr, "real", "(0, 1]", "Adam learning rate", real_range(0, 1, true)));
    f.push_back(make("train.weight_decay", t, &T::weight_decay, "real", "[0, 1]", "Adam weight decay", real_range(0, 1)));
    f.push_back(make("train.schedule", t, &T::schedule, "string", "cosine | constant", "learning-rate schedule", one_of({"cosine", "constant"})));
    f.push_back(make("train.clip_norm", t, &T::clip_norm, "real", "[0, 1e6]", "gradient-norm clip (0 = off)", real_range(0, 1e6)));
    f.push_back(make("train.patience", t, &T::patience, "int", "[1, 100000]", "early-stopping patience (epochs)", int_range(1, 100000)));
    f.push_back(make("train.batch_samples", t, &T::batch_samples, "int", "[1, 100000]", "(item, origin) samples per batch", int_range(1, 100000)));
    f.push_back(make("train.seed", t, &T::seed, "int", ">= 0", "seed of every random choice", any_u64()));
    f.push_back(make("train.threads", t, &T::threads, "int", "[0, 1024]", "intra-op threads (0 = all cores; 1 measured 4-6x faster than 2 on 2 cores)", int_range(0, 1024)));
    f.push_back(make("train.prefetch", t, &T::prefetch, "bool", "",
                     "build the next training batch on another thread while a step runs (bit-identical results)", any_bool()));
    return f;
  }();
  return kFields;
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

void RunConfig::apply_json(const json& j, const std::string& source) {
  DNTS_CHECK(j.is_object(), ConfigError, "{}: expected a JSON object with sections data, model, train", source);
  for (const auto& [section, body] : j.items()) {
    DNTS_CHECK(body.is_object(), ConfigError, "{}: '{}' must be an object of settings", source, section);
    for (const auto& [name, value] : body.items()) {
      std::string key = section + "." + name;
      auto it = std::find_if(fields().begin(), fields().end(), [&](const Field& f) { return f.key == key; });
      if (it == fields().end()) {
        const Field* best = nullptr;
        size_t best_d = std::numeric_limits<size_t>::max();
        for (const Field& f : fields()) {
          size_t dist = edit_distance(key, f.key);
          if (dist < best_d) best_d = dist, best = &f;
        }
        throw ConfigError(fmt::format("{}: unknown setting '{}'{}", source, key,
                                      best && best_d <= 4 ? fmt::format(" (did you mean '{}'?)", best->key) : ""));
      }
      try {
        it->set(*this, value);
      } catch (const ConfigError& e) {
        throw ConfigError(fmt::format("{}: {} = {}: {}", source, key, value.dump(), e.what()));
      } catch (const json::exception& e) {
        throw ConfigError(fmt::format("{}: {} = {}: {}", source, key, value.dump(), e.what()));
      }
    }
  }
}

void RunConfig::load_file(const std::string& path) {
  std::ifstream in(path);
  DNTS_CHECK(in.good(), ConfigError, "{}: cannot read the config file", path);
  json j;
  try {
    j = json::parse(in);
  } catch (const json::parse_error& e) {
    throw ConfigError(fmt::format("{}: not valid JSON: {}", path, e.what()));
  }
  apply_json(j, path);
}

void RunConfig::validate() const {
  std::vector<std::string> problems;
  for (const Field& f : fields()) {
    std::string p = f.check(*this);
    if (!p.empty()) problems.push_back(f.key + " " + p);
  }
  if (model.channels % int64_t(model.kernels.size()) != 0)
    problems.push_back(fmt::format("model.channels = {}: must be a multiple of the number of kernels ({})",
                                   model.channels, model.kernels.size()));
  if (data.val_fraction + data.test_fraction >= 0.95)
    problems.push_back(fmt::format("data.val_fraction + data.test_fraction = {}: leaves no training data",
                                   data.val_fraction + data.test_fraction));
  if (model.tau_end > model.tau_start)
    problems.push_back(fmt::format("model.tau_end = {} > model.tau_start = {}: the temperature anneals downwards",
                                   model.tau_end, model.tau_start));
  if (!problems.empty()) {
    std::string msg = fmt::format("{} invalid setting(s):", problems.size());
    for (const auto& p : problems) msg += "\n  " + p;
    throw ConfigError(msg);
  }
}

json RunConfig::to_json() const {
  json j = json::object();
  for (const Field& f : fields()) {
    auto dot = f.key.find('.');
    j[f.key.substr(0, dot)][f.key.substr(dot + 1)] = f.get(*this);
  }
  return j;
}

std::string RunConfig::parameters_markdown() {
  RunConfig defaults;
  std::string out =
      "# Parameters\n\nGenerated by `dnts params` from the field table in `src/config.cpp`; do not edit.\n"
      "A config file is JSON with the sections below (`{\"model\": {\"embed_dim\": 64}}`); unknown keys are "
      "errors.\n\n| key | type | default | allowed | meaning |\n|---|---|---|---|---|\n";
  for (const Field& f : fields()) {
    out += fmt::format("| `{}` | {} | `{}` | {} | {} |\n", f.key, f.type, f.get(defaults).dump(), f.range, f.doc);
  }
  return out;
}

}  // namespace dnts
