// `dnts backtest`: every forecaster of a list on the same rolling-origin test samples.
#include <cstdio>
#include <sstream>

#include "commands.h"
#include "common.h"
#include "model_flags.h"
#include "dnts/error.h"
#include "dnts/model/registry.h"
#include "dnts/train/backtest.h"

namespace dnts::cli {

void add_backtest(CLI::App& app, Action& action) {
  auto* cmd = app.add_subcommand(
      "backtest", "Rolling-origin backtest of DNTS, its ablations and the baselines on the same test samples");
  auto args = std::make_shared<DataArgs>();
  auto flags = std::make_shared<ModelFlags>();
  auto models = std::make_shared<std::string>("dnts,zero,last,seasonal_naive,moving_average,mean_rate,croston,tsb");
  auto opts = std::make_shared<train::BacktestOptions>();
  args->add(cmd, /*positional=*/false);
  flags->add(cmd);
  cmd->add_option("--models", *models, "Comma-separated forecasters (`dnts models` lists them; 'all' = every one)")
      ->capture_default_str();
  cmd->add_option("--horizons", opts->horizons,
                  "Horizon lengths scored, in buckets (default: 7 14 30 calendar, 24 72 168 item-age)");
  cmd->add_option("--seeds", opts->seeds, "Seeds per trained forecaster (mean ± std)")->capture_default_str();
  cmd->add_option("--refit", opts->refit, "Calendar: refit every this many test origins (0 = once)")->capture_default_str();
  auto merge = std::make_shared<std::vector<std::string>>();
  cmd->add_option("--merge", *merge,
                  "Instead of running: merge these backtest folders (disjoint --models on the same data and "
                  "config, e.g. one process per core) into --out")
      ->delimiter(',');
  cmd->add_option("--out", opts->out_dir, "Output folder (backtest.json, summary.md, runs/)")->required();
  cmd->callback([&action, cmd, args, flags, models, opts, merge]() {
    action = [cmd, args, flags, models, opts, merge]() {
      if (!merge->empty()) {
        train::merge_backtests(*merge, opts->out_dir);
        std::printf("backtest: merged %zu folders -> %s/summary.md, backtest.json\n", merge->size(),
                    opts->out_dir.c_str());
        return 0;
      }
      DNTS_CHECK(!args->dir.empty(), ConfigError, "backtest: give the dataset folder (--data)");
      RunConfig cfg = flags->resolve(cmd, *args);
      train::BacktestOptions o = *opts;
      o.data_dir = args->dir;
      std::stringstream ss(*models);
      for (std::string m; std::getline(ss, m, ',');) {
        if (m == "all") {
          for (const auto& s : model::forecaster_registry()) o.models.push_back(s.name);
        } else if (!m.empty()) {
          model::forecaster_spec(m);  // unknown names fail before any data is read
          o.models.push_back(m);
        }
      }
      const LoadedData d = load_with_config(*args, cfg);
      train::BacktestResult r = train::backtest(cfg, d.ds, d.table, o);
      std::printf("backtest: %zu models, %lld test samples, %lld block(s) -> %s/summary.md, backtest.json\n",
                  o.models.size(), static_cast<long long>(r.test_samples), static_cast<long long>(r.blocks),
                  o.out_dir.c_str());
      return 0;
    };
  });
}

}  // namespace dnts::cli
