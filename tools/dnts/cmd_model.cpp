// `dnts train`, `dnts forecast`, `dnts evaluate`: the DNTS model on a dataset folder.
#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "common.h"
#include "model_flags.h"
#include "dnts/config.h"
#include "dnts/model/registry.h"
#include "dnts/data/csv.h"
#include "dnts/error.h"
#include "dnts/train/samples.h"
#include "dnts/train/trainer.h"

namespace dnts::cli {
namespace fs = std::filesystem;

namespace {

// "--age 0" names no bucket: ages count from 1 (the launch bucket).
std::string check_age(const std::string& v) {
  try {
    if (std::stoll(v) >= 1) return {};
  } catch (const std::exception&) {
  }
  return "'" + v + "' is not an age: ages are whole buckets >= 1 (age 1 = the item's launch bucket)";
}

// A trained run reads data with its own buckets and zone; a different --bucket / --tz is an error,
// not a silent override.
DataArgs run_data_args(const CLI::App* cmd, const DataArgs& args, const RunConfig& run_cfg, const std::string& run_dir) {
  DNTS_CHECK(!cmd->count("--bucket") || args.bucket == run_cfg.data.bucket, ConfigError,
             "--bucket {}: the run in {} was trained on {} buckets (leave --bucket out)", args.bucket, run_dir,
             run_cfg.data.bucket);
  DNTS_CHECK(!cmd->count("--tz") || args.tz == run_cfg.data.tz, ConfigError,
             "--tz {}: the run in {} was trained in zone {} (leave --tz out)", args.tz, run_dir, run_cfg.data.tz);
  DataArgs a = args;
  a.bucket = run_cfg.data.bucket;
  a.tz = run_cfg.data.tz;
  return a;
}

}  // namespace

void add_train(CLI::App& app, Action& action) {
  auto* cmd = app.add_subcommand("train", "Train the DNTS model on a dataset folder; writes a run folder");
  auto args = std::make_shared<DataArgs>();
  auto flags = std::make_shared<ModelFlags>();
  auto out = std::make_shared<std::string>();
  auto resume = std::make_shared<bool>(false);
  args->add(cmd, /*positional=*/false);
  flags->add(cmd);
  cmd->add_option("--out", *out, "Run folder")->required();
  cmd->add_flag("--resume", *resume, "Continue from the run folder's last checkpoint");
  cmd->callback([&action, cmd, args, flags, out, resume]() {
    action = [cmd, args, flags, out, resume]() {
      DNTS_CHECK(!args->dir.empty(), ConfigError, "train: give the dataset folder (DATA or --data)");
      RunConfig cfg = flags->resolve(cmd, *args);
      const LoadedData d = load_with_config(*args, cfg);
      train::TrainOptions opts;
      opts.run_dir = *out;
      opts.resume = *resume;
      train::TrainResult r = train::fit(cfg, d.ds, d.table, opts);
      std::printf("best epoch %lld of %zu%s\n%s%s"
                  "run folder %s: config.resolved.json, checkpoints/, curve.csv, metrics.json\n",
                  static_cast<long long>(r.best_epoch), r.curve.size(), r.stopped_early ? " (early stop)" : "",
                  train::format_report(r.val, "validation").c_str(), train::format_report(r.test, "test").c_str(),
                  out->c_str());
      return 0;
    };
  });
}

void add_forecast(CLI::App& app, Action& action) {
  auto* cmd = app.add_subcommand("forecast", "Forecast every promoter of every item from a trained run");
  auto args = std::make_shared<DataArgs>();
  auto run_dir = std::make_shared<std::string>();
  auto origin = std::make_shared<std::string>();
  auto horizon = std::make_shared<int64_t>(0);
  auto age = std::make_shared<int64_t>(0);
  auto out = std::make_shared<std::string>();
  args->add(cmd, /*positional=*/false);
  cmd->add_option("--run", *run_dir, "Run folder written by dnts train")->required();
  auto* origin_opt =
      cmd->add_option("--origin", *origin, "Last observed bucket (a date or timestamp; default: the data's last)");
  cmd->add_option("--age", *age,
                  "Item-age forecasts: each item from the bucket this many buckets after its launch (age 1 = launch); "
                  "the '*' promoter totals then add horizons of different calendar windows")
      ->excludes(origin_opt)
      ->check(check_age);
  cmd->add_option("--horizon", *horizon, "Buckets to forecast (default: the run's horizon)");
  cmd->add_option("--out", *out, "Forecast CSV")->required();
  cmd->callback([&action, cmd, args, run_dir, origin, horizon, age, out]() {
    action = [cmd, args, run_dir, origin, horizon, age, out]() {
      DNTS_CHECK(!args->dir.empty(), ConfigError, "forecast: give the dataset folder (DATA or --data)");
      data::check_output_path(*out);
      train::LoadedRun run = train::load_run(*run_dir);
      DataArgs a = run_data_args(cmd, *args, run.cfg, *run_dir);
      data::Dataset ds = load_dataset(a);
      tree::PropagationTable table = tree::build_propagation(ds, a.axis(), a.threads);
      int32_t t0 = table.frame.num_buckets - 1;
      if (!origin->empty()) {
        auto ts = data::parse_timestamp(*origin, data::TimeZone::parse(a.tz));
        DNTS_CHECK(ts.has_value(), ConfigError, "--origin '{}': not a date or timestamp", *origin);
        t0 = table.frame.bucket(*ts);
        DNTS_CHECK(t0 >= 0 && t0 < table.frame.num_buckets, ConfigError, "--origin '{}' is outside the data ({} .. {})",
                   *origin, table.frame.label(0), table.frame.label(table.frame.num_buckets - 1));
      }
      int64_t h = *horizon > 0 ? *horizon : run.cfg.data.horizon;
      std::vector<model::SampleRef> samples =
          *age > 0 ? train::samples_at_age(table, *age) : train::samples_at_origin(table, t0);
      DNTS_CHECK(!samples.empty(), ConfigError, "nothing to forecast: no item has promoters {}",
                 *age > 0 ? fmt::format("at age {}", *age) : "at " + table.frame.label(t0));
      int64_t rows = train::write_forecasts(run, ds, table, samples, h, *out);
      std::string from = *age > 0 ? fmt::format("each item at age {} ({} items)", *age, samples.size())
                                  : table.frame.label(t0);
      std::printf("forecast from %s, %lld buckets: %lld rows -> %s\n", from.c_str(), static_cast<long long>(h),
                  static_cast<long long>(rows), out->c_str());
      return 0;
    };
  });
}

void add_evaluate(CLI::App& app, Action& action) {
  auto* cmd = app.add_subcommand(
      "evaluate", "Score a trained run on its validation or test split against the zero, last-value and mean-rate "
                  "forecasts (same cells for all)");
  auto args = std::make_shared<DataArgs>();
  auto run_dir = std::make_shared<std::string>();
  auto split = std::make_shared<std::string>("test");
  auto age = std::make_shared<int64_t>(0);
  auto json_out = std::make_shared<std::string>();
  args->add(cmd, /*positional=*/false);
  cmd->add_option("--run", *run_dir, "Run folder written by dnts train")->required();
  cmd->add_option("--split", *split, "val | test")->check(CLI::IsMember({"val", "test"}))->capture_default_str();
  cmd->add_option("--age", *age, "Item-age runs: score only the origins at this age")->check(check_age);
  cmd->add_option("--json", *json_out, "Also write the metrics as JSON here");
  cmd->callback([&action, cmd, args, run_dir, split, age, json_out]() {
    action = [cmd, args, run_dir, split, age, json_out]() {
      DNTS_CHECK(!args->dir.empty(), ConfigError, "evaluate: give the dataset folder (DATA or --data)");
      if (!json_out->empty()) data::check_output_path(*json_out);
      train::LoadedRun run = train::load_run(*run_dir);
      DataArgs a = run_data_args(cmd, *args, run.cfg, *run_dir);
      data::Dataset ds = load_dataset(a);
      tree::PropagationTable table = tree::build_propagation(ds, a.axis(), a.threads);
      train::SampleSplit sp = train::make_samples(table, run.cfg.data);
      std::vector<model::SampleRef> samples = *split == "val" ? sp.val : sp.test;
      const int32_t cutoff = *split == "val" ? sp.val_cutoff : INT32_MAX;
      DNTS_CHECK(!samples.empty(), ConfigError, "the {} split of this data has no samples (see data.{}_fraction)", *split,
                 *split);
      if (*age > 0) {
        DNTS_CHECK(run.cfg.data.protocol == "age", ConfigError, "--age: the run uses the {} protocol",
                   run.cfg.data.protocol);
        std::vector<model::SampleRef> kept;
        for (const auto& r : samples)
          if (int64_t(r.origin) - table.items[r.item].join_bucket.front() + 1 == *age) kept.push_back(r);
        DNTS_CHECK(!kept.empty(), ConfigError, "--age {}: no {} origin at that age (the run's ages: {})", *age,
                   *split, fmt::join(run.cfg.data.ages, ", "));
        samples = std::move(kept);
      }
      train::EvalReport r = train::evaluate(run.model, run.cfg, ds, table, samples, torch::kCPU, cutoff);
      std::string title = fmt::format("{} split, {} samples{}", *split, samples.size(),
                                      *age > 0 ? fmt::format(", age {}", *age) : std::string());
      std::fputs(train::format_report(r, title).c_str(), stdout);
      if (!json_out->empty()) data::write_file_atomic(*json_out, train::report_json(r).dump(2) + "\n");
      return 0;
    };
  });
}

}  // namespace dnts::cli

namespace dnts::cli {

void add_params(CLI::App& app, Action& action) {
  auto* cmd = app.add_subcommand("params", "Print every configuration setting as a Markdown table (docs/parameters.md)");
  cmd->callback([&action]() {
    action = []() {
      std::fputs(RunConfig::parameters_markdown().c_str(), stdout);
      return 0;
    };
  });
}

void add_models(CLI::App& app, Action& action) {
  auto* cmd = app.add_subcommand("models", "List the forecasters: DNTS, its ablations and the baselines");
  cmd->callback([&action]() {
    action = []() {
      std::printf("%-20s %-12s %s\n", "name", "family", "description");
      for (const model::ForecasterSpec& s : model::forecaster_registry())
        std::printf("%-20s %-12s %s\n", s.name.c_str(), s.family.c_str(), s.description.c_str());
      return 0;
    };
  });
}

}  // namespace dnts::cli
