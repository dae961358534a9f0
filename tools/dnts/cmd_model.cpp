// `dnts train` and `dnts forecast`: the DNTS model on a dataset folder.
#include <cstdio>
#include <filesystem>

#include "commands.h"
#include "common.h"
#include "dnts/config.h"
#include "dnts/data/csv.h"
#include "dnts/error.h"
#include "dnts/train/trainer.h"

namespace dnts::cli {
namespace fs = std::filesystem;

namespace {

struct ModelFlags {
  std::string config;
  std::string protocol;
  int64_t window = 0, horizon = 0, epochs = 0;
  uint64_t seed = 0;
  bool no_gcn = false, no_hypergraph = false, no_activation = false, one_stage = false;
  void add(CLI::App* cmd) {
    cmd->add_option("--config", config, "JSON config file (see docs/parameters.md)");
    cmd->add_option("--protocol", protocol, "Origin protocol: calendar | age");
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
    if (cmd->count("--bucket")) cfg.data.bucket = data.bucket;
    if (cmd->count("--tz")) cfg.data.tz = data.tz;
    if (cmd->count("--threads")) cfg.train.threads = data.threads;
    if (!protocol.empty()) cfg.data.protocol = protocol;
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
      DataArgs a = *args;
      a.bucket = cfg.data.bucket;
      a.tz = cfg.data.tz;
      data::Dataset ds = load_dataset(a);
      tree::PropagationTable table = tree::build_propagation(ds, a.axis(), a.threads);
      train::TrainOptions opts;
      opts.run_dir = *out;
      opts.resume = *resume;
      train::TrainResult r = train::fit(cfg, ds, table, opts);
      std::printf("best epoch %lld of %zu%s; validation MAE %.4f WAPE %.4f; test MAE %.4f WAPE %.4f RMSLE %.4f "
                  "horizon-total WAPE %.4f\n"
                  "run folder %s: config.resolved.json, checkpoints/, curve.csv, metrics.json\n",
                  static_cast<long long>(r.best_epoch), r.curve.size(), r.stopped_early ? " (early stop)" : "",
                  r.val.mae, r.val.wape, r.test.mae, r.test.wape, r.test.rmsle, r.test.total_wape, out->c_str());
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
  auto out = std::make_shared<std::string>();
  args->add(cmd, /*positional=*/false);
  cmd->add_option("--run", *run_dir, "Run folder written by dnts train")->required();
  cmd->add_option("--origin", *origin, "Last observed bucket (a date or timestamp; default: the data's last)");
  cmd->add_option("--horizon", *horizon, "Buckets to forecast (default: the run's horizon)");
  cmd->add_option("--out", *out, "Forecast CSV")->required();
  cmd->callback([&action, args, run_dir, origin, horizon, out]() {
    action = [args, run_dir, origin, horizon, out]() {
      DNTS_CHECK(!args->dir.empty(), ConfigError, "forecast: give the dataset folder (DATA or --data)");
      data::check_output_path(*out);
      train::LoadedRun run = train::load_run(*run_dir);
      DataArgs a = *args;
      a.bucket = run.cfg.data.bucket;  // the model was trained on these buckets
      a.tz = run.cfg.data.tz;
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
      int64_t rows = train::write_forecasts(run, ds, table, t0, h, *out);
      std::printf("forecast from %s, %lld buckets: %lld rows -> %s\n", table.frame.label(t0).c_str(),
                  static_cast<long long>(h), static_cast<long long>(rows), out->c_str());
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

}  // namespace dnts::cli
