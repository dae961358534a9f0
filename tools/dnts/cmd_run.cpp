// `dnts run`: the main job, end to end in one folder:
//   data (simulate when none is given | convert a public data set | a dataset folder)
//   -> ingest -> propagation scale + summary -> train DNTS -> forecast -> evaluate against the
//   zero / last-value / mean-rate baselines on the held-out test split.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "common.h"
#include "dnts/data/convert.h"
#include "dnts/data/csv.h"
#include "dnts/data/simulate.h"
#include "dnts/error.h"
#include "dnts/train/trainer.h"
#include "dnts/tree/propagation.h"
#include "dnts/tree/stats.h"
#include "model_flags.h"

namespace dnts::cli {
namespace fs = std::filesystem;

namespace {

struct RunArgs {
  std::string out = "runs/default";
  uint64_t sim_seed = 1;
  std::string convert, source;
};

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

void add_run(CLI::App& app, Action& action) {
  auto* cmd = app.add_subcommand(
      "run", "The main job on a dataset folder (default: the built-in simulated platform): ingest, propagation "
             "scale, train DNTS, forecast, evaluate against the baselines");
  auto args = std::make_shared<DataArgs>();
  auto flags = std::make_shared<ModelFlags>();
  auto ra = std::make_shared<RunArgs>();
  args->add(cmd, /*positional=*/false);
  flags->add(cmd);
  cmd->add_option("--out", ra->out, "Run folder")->capture_default_str();
  cmd->add_option("--sim-seed", ra->sim_seed, "Seed of the simulated default data")->capture_default_str();
  auto* conv = cmd->add_option("--convert", ra->convert, "Convert a public data set first: ced-weibo | ds4c")
                   ->check(CLI::IsMember({"ced-weibo", "ds4c"}));
  cmd->add_option("--source", ra->source, "The public data set's file (with --convert)")
      ->needs(conv)
      ->check(CLI::ExistingPath);
  cmd->callback([&action, cmd, args, flags, ra]() {
    action = [cmd, args, flags, ra]() {
      auto start = std::chrono::steady_clock::now();
      DNTS_CHECK(ra->convert.empty() || !ra->source.empty(), ConfigError, "--convert {} needs --source FILE",
                 ra->convert);
      DNTS_CHECK(ra->convert.empty() || args->dir.empty(), ConfigError,
                 "give either --data DIR or --convert FORMAT --source FILE, not both");
      RunConfig cfg = flags->resolve(cmd, *args);
      fs::create_directories(ra->out);
      DataArgs a = *args;
      a.bucket = cfg.data.bucket;
      a.tz = cfg.data.tz;
      // 1. Data.
      if (!ra->convert.empty()) {
        a.dir = (fs::path(ra->out) / "data").string();
        auto t0 = std::chrono::steady_clock::now();
        data::ConvertReport r = ra->convert == "ced-weibo" ? data::convert_ced_weibo(ra->source, a.dir)
                                                           : data::convert_ds4c(ra->source, a.dir);
        std::fprintf(stderr, "[1/5] convert %s: %lld items, %lld orders, %lld edges -> %s (%.1fs)\n",
                     ra->convert.c_str(), static_cast<long long>(r.items), static_cast<long long>(r.orders),
                     static_cast<long long>(r.edges), a.dir.c_str(), since(t0));
      } else if (a.dir.empty()) {
        a.dir = (fs::path(ra->out) / "data").string();
        data::SimulateOptions so;
        so.seed = ra->sim_seed;
        so.overwrite = true;  // the run folder owns its data/ subfolder
        data::SimulateReport r = data::simulate(so, a.dir);
        std::fprintf(stderr, "[1/5] simulate: %lld orders, %lld edge events, %lld items -> %s (%.2fs)\n",
                     static_cast<long long>(r.orders), static_cast<long long>(r.edges),
                     static_cast<long long>(r.items), a.dir.c_str(), r.seconds);
      } else {
        std::fprintf(stderr, "[1/5] data: %s\n", a.dir.c_str());
      }
      // 2. Ingest, propagation scale, summary.
      auto t2 = std::chrono::steady_clock::now();
      data::Dataset ds = load_dataset(a);
      tree::PropagationTable table = tree::build_propagation(ds, a.axis(), a.threads);
      int64_t scale_rows = tree::write_scale_csv(ds, table, (fs::path(ra->out) / "scale.csv").string());
      tree::DatasetStats s = tree::compute_stats(ds, table, 10);
      data::write_file_atomic((fs::path(ra->out) / "stats.json").string(), tree::stats_to_json(s).dump(2) + "\n");
      std::fprintf(stderr, "[2/5] propagation scale: %lld rows -> scale.csv, stats.json (%.1fs)\n",
                   static_cast<long long>(scale_rows), since(t2));
      // 3. Train.
      auto t3 = std::chrono::steady_clock::now();
      train::TrainOptions opts;
      opts.run_dir = (fs::path(ra->out) / "model").string();
      train::TrainResult tr = train::fit(cfg, ds, table, opts);
      std::fprintf(stderr, "[3/5] train: best epoch %lld of %zu%s -> model/ (%.1fs)\n",
                   static_cast<long long>(tr.best_epoch), tr.curve.size(), tr.stopped_early ? " (early stop)" : "",
                   since(t3));
      // 4. Forecast from the data's last bucket (item-age runs: every item at the smallest age).
      auto t4 = std::chrono::steady_clock::now();
      train::LoadedRun run = train::load_run(opts.run_dir);
      const int32_t last = table.frame.num_buckets - 1;
      const int64_t age = *std::min_element(cfg.data.ages.begin(), cfg.data.ages.end());
      std::vector<model::SampleRef> samples =
          cfg.data.protocol == "age" ? train::samples_at_age(table, age) : train::samples_at_origin(table, last);
      const std::string fc_path = (fs::path(ra->out) / "forecasts.csv").string();
      int64_t fc_rows = train::write_forecasts(run, ds, table, samples, cfg.data.horizon, fc_path);
      std::fprintf(stderr, "[4/5] forecast: %lld rows from %s -> forecasts.csv (%.1fs)\n",
                   static_cast<long long>(fc_rows),
                   cfg.data.protocol == "age" ? fmt::format("each item at age {}", age).c_str()
                                              : table.frame.label(last).c_str(),
                   since(t4));
      // 5. Evaluate (held-out test split, same cells for every forecaster).
      std::string report = train::format_report(tr.val, "validation") + train::format_report(tr.test, "test");
      data::write_file_atomic((fs::path(ra->out) / "report.txt").string(), report);
      nlohmann::json summary = {{"data", a.dir},
                                {"protocol", cfg.data.protocol},
                                {"bucket", cfg.data.bucket},
                                {"window", cfg.data.window},
                                {"horizon", cfg.data.horizon},
                                {"best_epoch", tr.best_epoch},
                                {"epochs_run", tr.curve.size()},
                                {"val", train::report_json(tr.val)},
                                {"test", train::report_json(tr.test)},
                                {"seconds", since(start)}};
      data::write_file_atomic((fs::path(ra->out) / "summary.json").string(), summary.dump(2) + "\n");
      std::fputs(tree::format_stats(s).c_str(), stdout);
      std::printf("\n%s", report.c_str());
      std::printf("\nrun folder %s: data/, scale.csv, stats.json, model/ (checkpoints, curve.csv, metrics.json), "
                  "forecasts.csv, report.txt, summary.json; done in %.1fs\n",
                  ra->out.c_str(), since(start));
      return 0;
    };
  });
}

}  // namespace dnts::cli
