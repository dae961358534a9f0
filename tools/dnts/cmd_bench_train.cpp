// `dnts bench train`: DNTS training steps in this engine against the same model in PyTorch Python
// (bench/py/dnts_train_peer.py) on the same weights and batches; the logic is dnts::train::bench_train.
#include <cstdio>
#include <filesystem>

#include "commands.h"
#include "common.h"
#include "model_flags.h"
#include "dnts/data/csv.h"
#include "dnts/train/bench.h"

namespace dnts::cli {

void add_bench_train(CLI::App& bench, Action& action) {
  auto* cmd = bench.add_subcommand(
      "train", "Training step and epoch time of DNTS against the same model in PyTorch Python (same weights, "
               "batches, Adam settings, dtype and threads), and the two loss curves compared step by step");
  auto args = std::make_shared<DataArgs>();
  auto flags = std::make_shared<ModelFlags>();
  auto opts = std::make_shared<train::BenchTrainOptions>();
  auto json_path = std::make_shared<std::string>();
  opts->peer = std::string(DNTS_SOURCE_DIR) + "/bench/py/dnts_train_peer.py";
  args->add(cmd, /*positional=*/false);
  flags->add(cmd);
  cmd->add_option("--steps", opts->steps, "Training steps per side and mode (0 = one full epoch)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--dtype", opts->dtype, "float32 | float64 (both sides)")
      ->check(CLI::IsMember({"float32", "float64"}))
      ->capture_default_str();
  cmd->add_option("--modes", opts->modes,
                  "exact (no dropout, no Gumbel noise: loss curves compared) and/or train (as in training)")
      ->delimiter(',')
      ->check(CLI::IsMember({"exact", "train"}));
  cmd->add_option("--python", opts->python, "Python interpreter of the peer ('' = C++ only)")->capture_default_str();
  cmd->add_option("--peer", opts->peer, "The Python peer script")->capture_default_str();
  cmd->add_option("--export", opts->export_dir,
                  "Keep the exported weights, batches and peer results in this folder (default: a temporary one)");
  cmd->add_option("--json", *json_path, "Write every figure to this JSON file");
  cmd->callback([&action, cmd, args, flags, opts, json_path]() {
    action = [cmd, args, flags, opts, json_path]() {
      DNTS_CHECK(!args->dir.empty(), ConfigError, "bench train: give the dataset folder (DATA or --data)");
      RunConfig cfg = flags->resolve(cmd, *args);
      train::BenchTrainOptions o = *opts;
      o.threads = cfg.train.threads > 0 ? cfg.train.threads : 1;
      const LoadedData d = load_with_config(*args, cfg);
      train::BenchTrainReport r = train::bench_train(cfg, d.ds, d.table, o);
      std::fputs(r.text.c_str(), stdout);
      if (!json_path->empty()) {
        nlohmann::json j = r.json;
        j["config"] = cfg.to_json();
        data::write_file_atomic(*json_path, j.dump(1) + "\n");
      }
      return 0;
    };
  });
}

}  // namespace dnts::cli
