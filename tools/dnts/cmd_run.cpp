// `dnts run`: the main job. Today: (simulate when no data is given) -> ingest -> propagation scale
// -> summary, with every artefact in the run folder.
#include <chrono>
#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "common.h"
#include "dnts/data/csv.h"
#include "dnts/data/simulate.h"
#include "dnts/tree/propagation.h"
#include "dnts/tree/stats.h"

namespace dnts::cli {
namespace fs = std::filesystem;

void add_run(CLI::App& app, Action& action) {
  auto* cmd = app.add_subcommand(
      "run", "The main job on a dataset folder (default: the built-in simulated platform): ingest, propagation "
             "scale, summary");
  auto args = std::make_shared<DataArgs>();
  auto out = std::make_shared<std::string>("runs/default");
  auto seed = std::make_shared<uint64_t>(1);
  args->add(cmd, /*positional=*/false);
  cmd->add_option("--out", *out, "Run folder")->capture_default_str();
  cmd->add_option("--seed", *seed, "Seed of the simulated default data")->capture_default_str();
  cmd->callback([&action, args, out, seed]() {
    action = [args, out, seed]() {
      auto t0 = std::chrono::steady_clock::now();
      fs::create_directories(*out);
      DataArgs a = *args;
      if (a.dir.empty()) {
        a.dir = (fs::path(*out) / "data").string();
        data::SimulateOptions so;
        so.seed = *seed;
        so.overwrite = true;  // the run folder owns its data/ subfolder
        data::SimulateReport r = data::simulate(so, a.dir);
        std::fprintf(stderr, "simulate: %lld orders, %lld edge events, %lld items -> %s (%.2fs)\n",
                     static_cast<long long>(r.orders), static_cast<long long>(r.edges),
                     static_cast<long long>(r.items), a.dir.c_str(), r.seconds);
      }
      data::Dataset ds = load_dataset(a);
      tree::PropagationTable table = tree::build_propagation(ds, a.axis(), a.threads);
      std::string scale_path = (fs::path(*out) / "scale.csv").string();
      int64_t rows = tree::write_scale_csv(ds, table, scale_path);
      tree::DatasetStats s = tree::compute_stats(ds, table, 10);
      data::write_file_atomic((fs::path(*out) / "stats.json").string(), tree::stats_to_json(s).dump(2) + "\n");
      std::fputs(tree::format_stats(s).c_str(), stdout);
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::printf("\nrun folder %s: scale.csv (%lld rows), stats.json; done in %.2fs\n", out->c_str(),
                  static_cast<long long>(rows), secs);
      return 0;
    };
  });
}

}  // namespace dnts::cli
