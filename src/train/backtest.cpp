#include "dnts/train/backtest.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "dnts/data/csv.h"
#include "dnts/error.h"
#include "dnts/model/registry.h"
#include "dnts/model/subtable.h"
#include "dnts/train/samples.h"
#include "dnts/train/trainer.h"

namespace dnts::train {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

/// A scalar of the summary: key, heading, whether lower is better.
struct Column {
  const char* key;
  const char* heading;
  bool lower_better;
};

const std::vector<Column>& columns() {
  static const std::vector<Column> kColumns = {
      {"total_wape", "total WAPE", true},      {"total_mae", "total MAE", true},
      {"total_rmse", "total RMSE", true},      {"total_smape", "total sMAPE", true},
      {"total_rmsle", "total RMSLE", true},    {"cell_mae", "MAE", true},
      {"cell_rmse", "RMSE", true},             {"cell_wape", "WAPE", true},
      {"cell_smape", "sMAPE", true},           {"cell_rmsle", "RMSLE", true},
      {"ndcg_item", "NDCG@k item", false},     {"recall_item", "recall@k item", false},
      {"spearman_item", "Spearman item", false}, {"ndcg_across", "NDCG@k across", false},
      {"recall_across", "recall@k across", false}, {"spearman_across", "Spearman across", false},
  };
  return kColumns;
}

std::map<std::string, double> flatten(const EvalMetrics& m) {
  return {{"total_wape", m.total_wape},       {"total_mae", m.total_mae},         {"total_rmse", m.total_rmse},
          {"total_smape", m.total_smape},     {"total_rmsle", m.total_rmsle},     {"cell_mae", m.mae},
          {"cell_rmse", m.rmse},              {"cell_wape", m.wape},              {"cell_smape", m.smape},
          {"cell_rmsle", m.rmsle},            {"ndcg_item", m.rank_item.ndcg},    {"recall_item", m.rank_item.recall},
          {"spearman_item", m.rank_item.spearman}, {"ndcg_across", m.rank_across.ndcg},
          {"recall_across", m.rank_across.recall}, {"spearman_across", m.rank_across.spearman}};
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  DNTS_CHECK(in.good(), IoError, "cannot read {}", path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Means and standard deviations over seeds of every column, per model and horizon, from a backtest
/// JSON's "scores" (their "flat" maps; a metric that is undefined on the data is null or NaN and skipped).
json summarize(const json& j) {
  json summary = json::object();
  for (const json& mj : j.at("models")) {
    const std::string name = mj.get<std::string>();
    for (const json& hj : j.at("horizons")) {
      const int64_t h = hj.get<int64_t>();
      json cell = json::object();
      for (const Column& c : columns()) {
        std::vector<double> v;
        for (const json& s : j.at("scores")) {
          if (s.at("model") != name || s.at("horizon").get<int64_t>() != h) continue;
          const json& x = s.at("flat").at(c.key);
          if (x.is_number() && std::isfinite(x.get<double>())) v.push_back(x.get<double>());
        }
        double mean = 0, sd = 0;
        for (double x : v) mean += x;
        mean = v.empty() ? NAN : mean / double(v.size());
        for (double x : v) sd += (x - mean) * (x - mean);
        sd = v.size() > 1 ? std::sqrt(sd / double(v.size() - 1)) : 0.0;
        cell[c.key] = {{"mean", mean}, {"std", sd}, {"n", v.size()}};
      }
      summary[name][std::to_string(h)] = cell;
    }
  }
  return summary;
}

/// The promoters with the largest actual total over the test samples (Σ over items, origins and the
/// longest horizon), computed from the targets alone: the same promoters for every model.
std::vector<uint32_t> top_promoters(const tree::PropagationTable& table, const std::vector<model::SampleRef>& tests,
                                    const RunConfig& cfg, int64_t count) {
  std::unordered_map<uint32_t, double> total;
  for (const model::SampleRef& s : tests) {
    model::SubTable st = model::make_subtable(table, s.item, s.origin, 1, cfg.data.horizon);
    torch::Tensor t = (st.target_scale * st.horizon_mask.unsqueeze(0)).sum(1).to(torch::kFloat64);
    auto a = t.accessor<double, 1>();
    for (size_t r = 0; r < st.promoters.size(); ++r) total[st.promoters[r]] += a[int64_t(r)];
  }
  std::vector<std::pair<double, uint32_t>> order;
  for (const auto& [p, v] : total)
    if (v > 0) order.emplace_back(-v, p);
  std::sort(order.begin(), order.end());
  std::vector<uint32_t> out;
  for (size_t i = 0; i < order.size() && int64_t(i) < count; ++i) out.push_back(order[i].second);
  return out;
}

}  // namespace

std::vector<int64_t> default_horizons(const std::string& protocol) {
  return protocol == "age" ? std::vector<int64_t>{24, 72, 168} : std::vector<int64_t>{7, 14, 30};
}

BacktestResult backtest(const RunConfig& base, const data::Dataset& ds, const tree::PropagationTable& table,
                        const BacktestOptions& opts) {
  DNTS_CHECK(!opts.models.empty(), ConfigError, "backtest: no models given (--models dnts,last,...)");
  DNTS_CHECK(opts.seeds >= 1, ConfigError, "backtest: --seeds {} must be >= 1", opts.seeds);
  DNTS_CHECK(opts.refit >= 0, ConfigError, "backtest: --refit {} must be >= 0", opts.refit);
  std::vector<int64_t> horizons = opts.horizons.empty() ? default_horizons(base.data.protocol) : opts.horizons;
  std::sort(horizons.begin(), horizons.end());
  horizons.erase(std::unique(horizons.begin(), horizons.end()), horizons.end());
  DNTS_CHECK(horizons.front() >= 1, ConfigError, "backtest: horizons must be >= 1");
  RunConfig cfg0 = base;
  cfg0.data.horizon = horizons.back();  // one forecast of the longest horizon, scored on each prefix
  cfg0.validate();
  std::vector<RunConfig> model_cfgs;
  for (const std::string& name : opts.models) model_cfgs.push_back(model::config_for(name, cfg0));  // fail early
  fs::create_directories(opts.out_dir);
  data::write_file_atomic((fs::path(opts.out_dir) / "config.json").string(), cfg0.to_json().dump(2) + "\n");

  // Test blocks: all test origins at once, or `refit` consecutive origins per refit (calendar).
  const SampleSplit full = make_samples(table, cfg0.data);
  DNTS_CHECK(!full.test.empty(), ConfigError, "backtest: no test samples (raise data.test_fraction)");
  struct Block {
    int32_t test_start = -1;
    std::vector<model::SampleRef> tests;
  };
  std::vector<Block> blocks;
  if (cfg0.data.protocol == "calendar" && opts.refit > 0) {
    std::set<int32_t> origins;
    for (const auto& s : full.test) origins.insert(s.origin);
    std::vector<int32_t> ordered(origins.begin(), origins.end());
    for (size_t i = 0; i < ordered.size(); i += size_t(opts.refit)) {
      Block b;
      b.test_start = ordered[i] + 1;
      const int32_t last = ordered[std::min(ordered.size(), i + size_t(opts.refit)) - 1];
      for (const auto& s : full.test)
        if (s.origin >= ordered[i] && s.origin <= last) b.tests.push_back(s);
      blocks.push_back(std::move(b));
    }
  } else {
    blocks.push_back({-1, full.test});
  }
  const std::vector<uint32_t> top = top_promoters(table, full.test, cfg0, opts.top_promoters);
  std::unordered_map<uint32_t, size_t> top_index;
  for (size_t i = 0; i < top.size(); ++i) top_index[top[i]] = i;
  const int64_t H = cfg0.data.horizon;

  BacktestResult result;
  result.test_samples = int64_t(full.test.size());
  result.blocks = int64_t(blocks.size());
  json scores = json::array(), series = json::array();
  for (size_t mi = 0; mi < opts.models.size(); ++mi) {
    const std::string& name = opts.models[mi];
    RunConfig cfg = model_cfgs[mi];
    const bool trainable = model::make_forecaster(cfg, model::kNumFeatures, H)->trainable();
    const int64_t seeds = trainable ? opts.seeds : 1;
    for (int64_t si = 0; si < seeds; ++si) {
      cfg.train.seed = base.train.seed + uint64_t(si);
      std::fprintf(stderr, "backtest: %s%s (%zu of %zu), %zu block(s)\n", name.c_str(),
                   trainable ? fmt::format(" seed {}", cfg.train.seed).c_str() : "", mi + 1, opts.models.size(),
                   blocks.size());
      std::vector<MetricAccumulator> acc(horizons.size());
      std::vector<std::vector<double>> top_pred(top.size(), std::vector<double>(size_t(H), 0.0)), top_y = top_pred;
      double train_seconds = 0;
      for (size_t bi = 0; bi < blocks.size(); ++bi) {
        const Block& block = blocks[bi];
        model::Forecaster f;
        if (trainable) {
          SampleSplit split = block.test_start >= 0 ? make_samples(table, cfg.data, block.test_start) : full;
          TrainOptions to;
          fs::path dir = fs::path(opts.out_dir) / "runs" / name / fmt::format("seed-{}", cfg.train.seed);
          if (blocks.size() > 1) dir /= fmt::format("block-{}", bi + 1);
          to.run_dir = dir.string();
          to.split = &split;
          auto t0 = std::chrono::steady_clock::now();
          fit(cfg, ds, table, to);
          train_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
          f = load_run(to.run_dir).model;
        } else {
          f = model::make_forecaster(cfg, model::kNumFeatures, H);
        }
        torch::NoGradGuard no_grad;
        f->eval();
        for (const auto& group : group_batches(block.tests, cfg.train.batch_samples)) {
          model::Batch b = model::make_batch(ds, table, group, cfg.data.window, H, cfg.model.sample_k, nullptr);
          torch::Tensor pred = f->forward(b).y_hat.to(torch::kFloat64);
          for (size_t hi = 0; hi < horizons.size(); ++hi) {
            const int64_t h = horizons[hi];
            acc[hi].add(pred.narrow(1, 0, h), b.y.narrow(1, 0, h), b.mask.narrow(1, 0, h), &b.row_offset, &b.row_promoter);
          }
          torch::Tensor y = b.y.to(torch::kFloat64), m = b.mask.to(torch::kFloat64);
          auto pa = pred.accessor<double, 2>(), ya = y.accessor<double, 2>(), ma = m.accessor<double, 2>();
          for (int64_t r = 0; r < b.rows(); ++r) {
            auto it = top_index.find(b.row_promoter[size_t(r)]);
            if (it == top_index.end()) continue;
            for (int64_t h = 0; h < H; ++h) {
              if (ma[r][h] == 0) continue;
              top_pred[it->second][size_t(h)] += pa[r][h];
              top_y[it->second][size_t(h)] += ya[r][h];
            }
          }
        }
      }
      for (size_t hi = 0; hi < horizons.size(); ++hi) {
        BacktestScore s{name, cfg.train.seed, horizons[hi], acc[hi].finish(), train_seconds};
        scores.push_back({{"model", name},
                          {"family", model::forecaster_spec(name).family},
                          {"seed", s.seed},
                          {"trained", trainable},
                          {"horizon", s.horizon},
                          {"train_seconds", train_seconds},
                          {"metrics", metrics_json(s.metrics)},
                          {"flat", flatten(s.metrics)}});
        result.scores.push_back(std::move(s));
      }
      for (size_t i = 0; i < top.size(); ++i)
        series.push_back({{"model", name}, {"seed", cfg.train.seed}, {"promoter", ds.promoters.name(top[i])},
                          {"y_hat", top_pred[i]}, {"y", top_y[i]}});
    }
  }
  json j = {{"version", DNTS_VERSION},
            {"data", opts.data_dir},
            {"protocol", cfg0.data.protocol},
            {"bucket", cfg0.data.bucket},
            {"horizons", horizons},
            {"models", opts.models},
            {"seeds", opts.seeds},
            {"refit", opts.refit},
            {"blocks", blocks.size()},
            {"test_samples", full.test.size()},
            {"k_item", MetricAccumulator().finish().rank_item.k},
            {"k_across", MetricAccumulator().finish().rank_across.k},
            {"scores", scores},
            {"top_promoters", series}};
  j["summary"] = summarize(j);
  data::write_file_atomic((fs::path(opts.out_dir) / "backtest.json").string(), j.dump(1) + "\n");
  data::write_file_atomic((fs::path(opts.out_dir) / "summary.md").string(), backtest_markdown(j));
  return result;
}

void merge_backtests(const std::vector<std::string>& dirs, const std::string& out_dir) {
  DNTS_CHECK(dirs.size() >= 2, ConfigError, "backtest --merge: give at least two backtest folders, got {}", dirs.size());
  json merged;
  std::set<std::string> seen;
  fs::create_directories(out_dir);
  for (const std::string& dir : dirs) {
    const std::string path = (fs::path(dir) / "backtest.json").string();
    DNTS_CHECK(fs::exists(path), ConfigError, "backtest --merge: {} has no backtest.json", dir);
    json j = json::parse(read_text(path));
    if (merged.is_null()) {
      merged = j;
      merged["models"] = json::array();
      merged["scores"] = json::array();
      merged["top_promoters"] = json::array();
      merged["parts"] = json::array();
      data::write_file_atomic((fs::path(out_dir) / "config.json").string(),
                              read_text((fs::path(dir) / "config.json").string()));
    }
    // Parts scored on different test samples or settings cannot share a table.
    for (const char* key : {"data", "protocol", "bucket", "horizons", "refit", "blocks", "test_samples"})
      DNTS_CHECK(j.at(key) == merged.at(key), ConfigError, "backtest --merge: {} has {} = {}, but {} has {}", dir, key,
                 j.at(key).dump(), dirs.front(), merged.at(key).dump());
    DNTS_CHECK(read_text((fs::path(dir) / "config.json").string()) ==
                   read_text((fs::path(out_dir) / "config.json").string()),
               ConfigError, "backtest --merge: {}/config.json differs from {}/config.json", dir, dirs.front());
    for (const json& m : j.at("models")) {
      DNTS_CHECK(seen.insert(m.get<std::string>()).second, ConfigError,
                 "backtest --merge: model {} appears in more than one part ({})", m.get<std::string>(), dir);
      merged["models"].push_back(m);
    }
    for (const json& s : j.at("scores")) merged["scores"].push_back(s);
    for (const json& s : j.at("top_promoters")) merged["top_promoters"].push_back(s);
    merged["seeds"] = std::max(merged.at("seeds").get<int64_t>(), j.at("seeds").get<int64_t>());
    merged["parts"].push_back(fs::absolute(dir).lexically_normal().string());
  }
  merged["summary"] = summarize(merged);
  data::write_file_atomic((fs::path(out_dir) / "backtest.json").string(), merged.dump(1) + "\n");
  data::write_file_atomic((fs::path(out_dir) / "summary.md").string(), backtest_markdown(merged));
}

std::string backtest_markdown(const json& j) {
  std::string md;
  const std::vector<std::string> models = j.at("models").get<std::vector<std::string>>();
  const int64_t k_item = j.value("k_item", 10), k_across = j.value("k_across", 100);
  for (const json& hj : j.at("horizons")) {
    const std::string h = std::to_string(hj.get<int64_t>());
    md += fmt::format("\n#### Horizon {} buckets ({} protocol, {} test samples; mean ± std over seeds where trained)\n\n",
                      h, j.at("protocol").get<std::string>(), j.at("test_samples").get<int64_t>());
    md += "| model |";
    std::string rule = "|---|";
    for (const Column& c : columns()) {
      std::string head = c.heading;
      auto pos = head.find("@k");
      if (pos != std::string::npos)
        head.replace(pos, 2, fmt::format("@{}", head.find("across") != std::string::npos ? k_across : k_item));
      md += " " + head + " |";
      rule += "---|";
    }
    md += "\n" + rule + "\n";
    std::map<std::string, double> best;
    for (const Column& c : columns()) {
      double b = c.lower_better ? INFINITY : -INFINITY;
      for (const std::string& m : models) {
        const json& v = j.at("summary").at(m).at(h).at(c.key).at("mean");
        if (v.is_number() && std::isfinite(v.get<double>()))
          b = c.lower_better ? std::min(b, v.get<double>()) : std::max(b, v.get<double>());
      }
      best[c.key] = b;
    }
    for (const std::string& m : models) {
      md += "| " + m + " |";
      for (const Column& c : columns()) {
        const json& v = j.at("summary").at(m).at(h).at(c.key);
        if (!v.at("mean").is_number() || !std::isfinite(v.at("mean").get<double>())) {
          md += " – |";
          continue;
        }
        const double mean = v.at("mean").get<double>(), sd = v.at("std").get<double>();
        std::string text = v.at("n").get<int64_t>() > 1 ? fmt::format("{:.4f} ± {:.4f}", mean, sd) : fmt::format("{:.4f}", mean);
        md += mean == best[c.key] ? " **" + text + "** |" : " " + text + " |";
      }
      md += "\n";
    }
  }
  return md;
}

}  // namespace dnts::train
