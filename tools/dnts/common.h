// Flags shared by every subcommand that reads a dataset folder.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "dnts/data/dataset.h"
#include "dnts/data/ingest.h"
#include "dnts/data/time.h"
#include "dnts/config.h"
#include "dnts/tree/propagation.h"

namespace dnts::cli {

struct DataArgs {
  std::string dir;
  std::string tz = "UTC";
  std::string bucket = "1d";
  bool lenient = false;
  bool no_cache = false;
  std::string cache_dir;
  int threads = 0;

  /// Adds DIR (positional when `positional`, else --data) and the ingestion flags.
  void add(CLI::App* cmd, bool positional = true);
  data::IngestOptions ingest_options() const;
  data::TimeAxis axis() const;
};

/// Ingests (or loads from the cache) and prints a one-paragraph report on stderr.
data::Dataset load_dataset(const DataArgs& args);

/// A dataset and its propagation table.
struct LoadedData {
  data::Dataset ds;
  tree::PropagationTable table;
};
/// load_dataset and build_propagation with the bucket width and zone of a resolved run config
/// (they may come from its file or --set, not only from --bucket / --tz).
LoadedData load_with_config(const DataArgs& args, const RunConfig& cfg);

}  // namespace dnts::cli
