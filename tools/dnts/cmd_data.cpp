// `dnts ingest`, `dnts scale`, `dnts stats`: read a dataset folder and report on it.
#include <chrono>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "common.h"
#include "dnts/data/csv.h"
#include "dnts/tree/propagation.h"
#include "dnts/tree/stats.h"

namespace dnts::cli {

void add_ingest(CLI::App& app, Action& action) {
  auto* cmd = app.add_subcommand("ingest", "Validate a dataset folder and write its binary cache");
  auto args = std::make_shared<DataArgs>();
  args->add(cmd);
  cmd->callback([&action, args]() {
    action = [args]() {
      load_dataset(*args);
      return 0;
    };
  });
}

void add_scale(CLI::App& app, Action& action) {
  auto* cmd = app.add_subcommand("scale", "Write the propagation scale per (item, promoter, bucket) and per promoter");
  auto args = std::make_shared<DataArgs>();
  auto out = std::make_shared<std::string>();
  args->add(cmd);
  cmd->add_option("--out", *out, "Output CSV (.csv or .csv.gz)")->required();
  cmd->callback([&action, args, out]() {
    action = [args, out]() {
      data::check_output_path(*out);
      data::Dataset ds = load_dataset(*args);
      auto t0 = std::chrono::steady_clock::now();
      tree::PropagationTable table = tree::build_propagation(ds, args->axis(), args->threads);
      double build_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      int64_t rows = tree::write_scale_csv(ds, table, *out);
      std::fprintf(stderr, "scale: %llu path-node updates in %.2fs (%.1f M/s); %lld rows -> %s\n",
                   static_cast<unsigned long long>(table.path_node_updates), build_s,
                   build_s > 0 ? double(table.path_node_updates) / build_s / 1e6 : 0.0, static_cast<long long>(rows),
                   out->c_str());
      return 0;
    };
  });
}

void add_stats(CLI::App& app, Action& action) {
  auto* cmd = app.add_subcommand("stats", "Describe a dataset: sizes, depths, sparsity, front-loading, top promoters");
  auto args = std::make_shared<DataArgs>();
  auto json_out = std::make_shared<std::string>();
  auto top = std::make_shared<size_t>(10);
  args->add(cmd);
  cmd->add_option("--json", *json_out, "Also write the figures as JSON to this file");
  cmd->add_option("--top", *top, "How many top promoters to list")->capture_default_str();
  cmd->callback([&action, args, json_out, top]() {
    action = [args, json_out, top]() {
      if (!json_out->empty()) data::check_output_path(*json_out);
      data::Dataset ds = load_dataset(*args);
      tree::PropagationTable table = tree::build_propagation(ds, args->axis(), args->threads);
      tree::DatasetStats s = tree::compute_stats(ds, table, *top);
      std::fputs(tree::format_stats(s).c_str(), stdout);
      if (!json_out->empty()) data::write_file_atomic(*json_out, tree::stats_to_json(s).dump(2) + "\n");
      return 0;
    };
  });
}

}  // namespace dnts::cli
