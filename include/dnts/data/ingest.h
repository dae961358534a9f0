// Ingestion of a dataset folder (DATA.md): orders.csv[.gz] (required) and edges.csv[.gz] (optional).
// Every rejected row names file, line, column and value; strict mode stops at the first, lenient
// mode skips and counts by reason. The result is cached in a compact binary file keyed by the input
// files' size and modification time and by the options that change the parse.
#pragma once

#include <string>

#include "dnts/data/dataset.h"

namespace dnts::data {

enum class ErrorMode { kStrict, kLenient };

struct IngestOptions {
  /// Dataset folder.
  std::string data_dir;
  /// Zone for timestamps without an offset ("YYYY-MM-DD", "YYYY-MM-DD HH:MM:SS").
  TimeZone tz;
  /// kStrict: stop at the first bad row. kLenient: skip bad rows, count them by reason.
  ErrorMode mode = ErrorMode::kStrict;
  /// Read/write the binary cache.
  bool use_cache = true;
  /// Where the cache lives; empty = <data_dir>/.dnts-cache, or ~/.cache/dnts/<hash> when the data
  /// folder is read-only. One file per (mode, zone): dataset-strict-UTC.bin, dataset-strict-+0800.bin.
  std::string cache_dir;
  /// Parse workers for plain files without quotes (read whole, cut at newlines into one chunk per
  /// worker); 0 = all cores, with at least 8 MiB of text per worker.
  int threads = 0;
  /// Read every file through the streaming CsvReader on one thread (what quoted and gzip files
  /// always use): the reference the parallel reader is tested against.
  bool streaming = false;
};

/// Reads, validates and resolves a dataset folder (or loads it from the cache). Throws InputError
/// (strict mode) naming file:line, column and value; IoError when a file cannot be read.
Dataset ingest(const IngestOptions& options);

/// <dir>/<stem>.csv or <dir>/<stem>.csv.gz; "" when neither exists and `required` is false. Throws
/// InputError when both exist, or when a required file (or the folder) is missing.
std::string find_input_file(const std::string& dir, const std::string& stem, bool required);

/// Parses already-located files (no cache). `edges_path` may be empty.
Dataset ingest_files(const std::string& orders_path, const std::string& edges_path, const IngestOptions& options);

/// Binary cache: save / load. load returns false (and leaves `out` untouched) when the file is
/// absent, stale (key differs) or written by another format version; a corrupt file (bad checksum,
/// truncated) is an IoError naming the file.
void save_cache(const Dataset& ds, const std::string& path, const std::string& key);
bool load_cache(const std::string& path, const std::string& key, Dataset& out);

/// Human-readable summary of an ingest report (counts by reason, warnings, examples).
std::string describe(const IngestReport& report);

}  // namespace dnts::data
