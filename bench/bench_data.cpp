#include "bench_data.h"

#include <unistd.h>

#include <filesystem>
#include <random>

#include <fmt/format.h>

#include "dnts/data/ingest.h"
#include "dnts/data/simulate.h"

namespace dnts::bench {
namespace fs = std::filesystem;

namespace {

struct SimFolder {
  std::string dir;
  data::Dataset ds;
  SimFolder() {
    dir = (fs::temp_directory_path() / fmt::format("dnts-bench-sim-{}", getpid())).string();
    data::SimulateOptions o;
    o.promoters = 3000;
    o.items = 60;
    o.days = 60;
    o.seed = 1;
    o.progress = false;
    o.overwrite = true;
    data::simulate(o, dir);
    data::IngestOptions io;
    io.data_dir = dir;
    io.use_cache = false;
    ds = data::ingest(io);
  }
  ~SimFolder() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

SimFolder& folder() {
  static SimFolder f;
  return f;
}

}  // namespace

const data::Dataset& sim_dataset() { return folder().ds; }
const std::string& sim_dir() { return folder().dir; }

std::string order_lines(size_t n) {
  std::mt19937_64 rng(7);
  std::string text;
  text.reserve(n * 40);
  for (size_t i = 0; i < n; ++i) {
    text += fmt::format("i{:04},p{:06},2026-01-{:02}T{:02}:{:02}:{:02}Z,{}\n", i / 5000, rng() % 100000,
                        1 + rng() % 28, rng() % 24, rng() % 60, rng() % 60, 1 + rng() % 3);
  }
  return text;
}

std::vector<std::string> promoter_ids(size_t n, size_t distinct) {
  std::mt19937_64 rng(11);
  std::vector<std::string> ids;
  ids.reserve(n);
  for (size_t i = 0; i < n; ++i) ids.push_back(fmt::format("p{:06}", rng() % distinct));
  return ids;
}

}  // namespace dnts::bench
