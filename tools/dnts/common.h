// Flags shared by every subcommand that reads a dataset folder.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "dnts/data/dataset.h"
#include "dnts/data/ingest.h"
#include "dnts/data/time.h"

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

}  // namespace dnts::cli
