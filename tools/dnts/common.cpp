#include "common.h"

#include <cstdio>

#include <fmt/format.h>

namespace dnts::cli {

void DataArgs::add(CLI::App* cmd, bool positional) {
  if (positional) {
    cmd->add_option("data", dir, "Dataset folder (orders.csv[.gz], optional edges.csv[.gz])")->required();
  } else {
    auto* pos = cmd->add_option("DATA", dir, "Dataset folder (default: the built-in simulated platform)");
    cmd->add_option("--data", dir, "Same as DATA")->excludes(pos);
  }
  cmd->add_option("--tz", tz, "Time zone of timestamps without an offset, and of day buckets (UTC, +08:00, UTC-5)")
      ->capture_default_str();
  cmd->add_option("--bucket", bucket, "Bucket width: 1h, 6h, 1d, 7d, ...")->capture_default_str();
  cmd->add_flag("--lenient", lenient, "Skip bad rows and count them by reason instead of stopping at the first");
  cmd->add_flag("--no-cache", no_cache, "Do not read or write the binary cache");
  cmd->add_option("--cache-dir", cache_dir, "Binary cache folder (default: DATA/.dnts-cache)");
  cmd->add_option("--threads", threads, "Worker threads (0 = all cores)")
      ->check(CLI::Range(0, 1024))
      ->capture_default_str();
}

data::IngestOptions DataArgs::ingest_options() const {
  data::IngestOptions o;
  o.data_dir = dir;
  o.tz = data::TimeZone::parse(tz);
  o.mode = lenient ? data::ErrorMode::kLenient : data::ErrorMode::kStrict;
  o.use_cache = !no_cache;
  o.cache_dir = cache_dir;
  o.threads = threads;
  return o;
}

data::TimeAxis DataArgs::axis() const {
  data::TimeAxis a;
  a.width_s = data::TimeAxis::parse_width(bucket);
  a.tz = data::TimeZone::parse(tz);
  return a;
}

data::Dataset load_dataset(const DataArgs& args) {
  data::IngestOptions opts = args.ingest_options();
  args.axis();  // validate --bucket before the (possibly long) read
  data::Dataset ds = data::ingest(opts);
  std::fprintf(stderr, "ingest: %s: %zu orders, %zu edge events, %u items, %u promoters in %.2fs\n%s\n",
               args.dir.c_str(), ds.orders.size(), ds.edges.size(), ds.items.size(), ds.promoters.size(),
               ds.report.seconds, data::describe(ds.report).c_str());
  return ds;
}

LoadedData load_with_config(const DataArgs& args, const RunConfig& cfg) {
  DataArgs a = args;
  a.bucket = cfg.data.bucket;
  a.tz = cfg.data.tz;
  LoadedData d;
  d.ds = load_dataset(a);
  d.table = tree::build_propagation(d.ds, a.axis(), a.threads);
  return d;
}

}  // namespace dnts::cli
