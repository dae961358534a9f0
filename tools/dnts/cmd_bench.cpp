// `dnts bench`: whole-stage benchmarks, one subcommand per stage, each printing a table of best-of-N
// wall times and the ratios between stages measured in the same run (docs/perf.md). A stage is one
// add_bench_<stage>(bench, action) line in add_bench(). No LibTorch here: the data stage is
// dnts::data and dnts::tree only.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "bench.h"
#include "commands.h"
#include "common.h"
#include "dnts/data/csv.h"
#include "dnts/error.h"
#include "dnts/progress.h"
#include "dnts/tree/network.h"
#include "dnts/tree/propagation.h"

namespace dnts::cli {
namespace fs = std::filesystem;

// ---- Shared stage machinery (bench.h). ----

double BenchStage::best() const { return seconds.empty() ? 0 : *std::min_element(seconds.begin(), seconds.end()); }

double BenchStage::median() const {
  if (seconds.empty()) return 0;
  std::vector<double> s = seconds;
  std::sort(s.begin(), s.end());
  return s.size() % 2 == 1 ? s[s.size() / 2] : 0.5 * (s[s.size() / 2 - 1] + s[s.size() / 2]);
}

double BenchStage::best_cpu() const {
  if (seconds.empty() || cpu_seconds.size() != seconds.size()) return 0;
  return cpu_seconds[size_t(std::min_element(seconds.begin(), seconds.end()) - seconds.begin())];
}

nlohmann::json BenchStage::to_json() const {
  nlohmann::json j = {{"stage", name},         {"seconds", seconds},   {"best_s", best()},
                      {"median_s", median()},  {"cpu_seconds", cpu_seconds}, {"best_cpu_s", best_cpu()},
                      {"peak_rss_mb", peak_rss_mb}};
  if (!work_unit.empty()) {
    j["work"] = work;
    j["work_unit"] = work_unit;
    j["per_s"] = rate();
  }
  if (bytes > 0) {
    j["bytes"] = bytes;
    j["mb_per_s"] = mb_per_s();
  }
  if (!note.empty()) j["note"] = note;
  return j;
}

void reset_peak_rss() {
  // Linux >= 4.0: writing 5 resets the process's peak resident set (VmHWM).
  std::ofstream f("/proc/self/clear_refs");
  if (f) f << "5";
}

double peak_rss_mb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return double(ru.ru_maxrss) / 1024.0;
}

namespace {

double process_cpu_seconds() {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + 1e-6 * double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

}  // namespace

BenchStage run_stage(const std::string& name, int repeat, const std::function<void()>& fn, int warmup) {
  BenchStage s;
  s.name = name;
  for (int i = 0; i < warmup; ++i) fn();
  reset_peak_rss();
  for (int i = 0; i < std::max(1, repeat); ++i) {
    const double c0 = process_cpu_seconds();
    auto t0 = std::chrono::steady_clock::now();
    fn();
    s.seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    s.cpu_seconds.push_back(process_cpu_seconds() - c0);
  }
  s.peak_rss_mb = peak_rss_mb();
  return s;
}

namespace {

std::string si(double v) {
  if (v >= 1e9) return fmt::format("{:.2f} G", v / 1e9);
  if (v >= 1e6) return fmt::format("{:.2f} M", v / 1e6);
  if (v >= 1e3) return fmt::format("{:.1f} k", v / 1e3);
  return fmt::format("{:.0f} ", v);
}

}  // namespace

std::string format_bench_table(const std::vector<BenchStage>& stages) {
  std::vector<std::vector<std::string>> rows = {{"stage", "best s", "median s", "cpu s", "rate", "MB/s", "peak RSS", "note"}};
  for (const BenchStage& s : stages) {
    rows.push_back({s.name, fmt::format("{:.3f}", s.best()), fmt::format("{:.3f}", s.median()),
                    fmt::format("{:.3f}", s.best_cpu()),
                    s.work_unit.empty() ? "" : si(s.rate()) + s.work_unit + "/s",
                    s.bytes > 0 ? fmt::format("{:.0f}", s.mb_per_s()) : "",
                    fmt::format("{:.0f} MB", s.peak_rss_mb), s.note});
  }
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& r : rows)
    for (size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], r[c].size());
  std::string out;
  for (size_t i = 0; i < rows.size(); ++i) {
    for (size_t c = 0; c < rows[i].size(); ++c) {
      bool left = c == 0 || c + 1 == rows[i].size();
      out += left ? fmt::format("{:<{}}", rows[i][c], width[c]) : fmt::format("{:>{}}", rows[i][c], width[c]);
      out += c + 1 == rows[i].size() ? "\n" : "  ";
    }
    if (i == 0) out += std::string(out.size() - 1, '-') + "\n";
  }
  return out;
}

// ---- dnts bench data ----

namespace {

// Reads a whole file into a fresh buffer with read(2): what any loader must at least do.
size_t read_whole(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw IoError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  struct stat st {};
  ::fstat(fd, &st);
  std::unique_ptr<char[]> buf(new char[size_t(st.st_size) + 1]);
  size_t done = 0;
  while (done < size_t(st.st_size)) {
    ssize_t n = ::read(fd, buf.get() + done, size_t(st.st_size) - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += size_t(n);
  }
  ::close(fd);
  return done;
}

// Counts newlines of a mapped file: the least a line-oriented parser must touch.
size_t count_lines(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw IoError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  struct stat st {};
  ::fstat(fd, &st);
  size_t lines = 0;
  if (st.st_size > 0) {
    void* p = ::mmap(nullptr, size_t(st.st_size), PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (p != MAP_FAILED) {
      const char* c = static_cast<const char*>(p);
      lines = size_t(std::count(c, c + st.st_size, '\n'));
      ::munmap(p, size_t(st.st_size));
    }
  }
  ::close(fd);
  return lines;
}

bool same_dataset(const data::Dataset& a, const data::Dataset& b) {
  const data::Orders &x = a.orders, &y = b.orders;
  return a.items.blob() == b.items.blob() && a.items.offsets() == b.items.offsets() &&
         a.promoters.blob() == b.promoters.blob() && a.promoters.offsets() == b.promoters.offsets() &&
         x.item == y.item && x.promoter == y.promoter && x.ts == y.ts && x.amount == y.amount &&
         x.path_explicit == y.path_explicit && x.path_offset == y.path_offset && x.path_node == y.path_node &&
         a.edges.item == b.edges.item && a.edges.parent == b.edges.parent && a.edges.child == b.edges.child &&
         a.edges.ts == b.edges.ts && a.item_order_offset == b.item_order_offset &&
         a.item_edge_offset == b.item_edge_offset && a.report.skipped == b.report.skipped &&
         a.report.merged == b.report.merged && a.report.warnings == b.report.warnings &&
         a.report.examples == b.report.examples;
}

struct BenchDataOptions {
  int repeat = 3;
  std::string json;
  bool reference = true;
};

int run_bench_data(const DataArgs& args, const BenchDataOptions& opt) {
  if (args.dir.empty()) throw ConfigError("dnts bench data: give the dataset folder (--data DIR)");
  if (!opt.json.empty()) data::check_output_path(opt.json);
  Progress::set_enabled(false);
  const data::TimeAxis axis = args.axis();
  data::IngestOptions io = args.ingest_options();
  io.use_cache = false;
  std::vector<std::string> files;
  for (const char* stem : {"orders", "edges"}) {
    std::string f = data::find_input_file(args.dir, stem, std::string(stem) == "orders");
    if (!f.empty()) files.push_back(f);
  }
  double bytes = 0;
  for (const auto& f : files) bytes += double(fs::file_size(f));
  const int threads = args.threads > 0 ? args.threads : int(std::max(1u, std::thread::hardware_concurrency()));
  std::fprintf(stderr, "bench data: %s (%.1f MB), %d repeats, %d threads\n", args.dir.c_str(), bytes / 1e6,
               opt.repeat, threads);
  std::vector<BenchStage> stages;
  auto add = [&](BenchStage s) {
    std::fprintf(stderr, "  %-28s best %.3f s\n", s.name.c_str(), s.best());
    stages.push_back(std::move(s));
    return stages.size() - 1;
  };

  // (a) The same bytes read raw (page cache warm: one untimed read first).
  size_t lines = 0;
  BenchStage raw = run_stage("raw read (read into memory)", opt.repeat, [&] {
    for (const auto& f : files) read_whole(f);
  }, 1);
  raw.bytes = bytes;
  const size_t i_raw = add(raw);
  BenchStage nl = run_stage("newline count (mapped)", opt.repeat, [&] {
    lines = 0;
    for (const auto& f : files) lines += count_lines(f);
  });
  nl.bytes = bytes;
  nl.work = double(lines);
  nl.work_unit = "lines";
  const size_t i_nl = add(nl);

  // (b) Full ingest without the cache: parse, validate, intern, resolve paths.
  data::Dataset ds;
  BenchStage ing = run_stage("ingest (parse+validate+resolve)", opt.repeat, [&] { ds = data::ingest(io); });
  ing.bytes = bytes;
  ing.work = double(ds.report.order_rows + ds.report.edge_rows);
  ing.work_unit = "rows";
  ing.note = fmt::format("{} orders, {} edges, {} promoters", ds.orders.size(), ds.edges.size(), ds.promoters.size());
  const size_t i_ing = add(ing);
  size_t i_ref = 0;
  if (opt.reference) {
    data::IngestOptions ref_opts = io;
    ref_opts.streaming = true;
    data::Dataset ref;
    BenchStage s = run_stage("ingest, streaming reader", 1, [&] { ref = data::ingest(ref_opts); });
    s.bytes = bytes;
    s.work = ing.work;
    s.work_unit = "rows";
    s.note = "CsvReader, 1 thread (reference); same dataset";
    if (!same_dataset(ds, ref)) throw InternalError("bench data: the parallel and streaming readers disagree");
    i_ref = add(s);
  }

  // (c) Binary cache: write, then reload.
  std::string cache_dir = args.cache_dir.empty() ? fs::temp_directory_path().string() : args.cache_dir;
  std::string cache = (fs::path(cache_dir) / fmt::format("dnts-bench-{}.bin", getpid())).string();
  const std::string key = "bench";
  BenchStage w = run_stage("cache write", opt.repeat, [&] { data::save_cache(ds, cache, key); });
  w.bytes = double(fs::file_size(cache));
  w.note = fmt::format("{:.0f} MB file", w.bytes / 1e6);
  add(w);
  data::Dataset back;
  BenchStage r = run_stage("cache reload", opt.repeat, [&] {
    back = data::Dataset();
    if (!data::load_cache(cache, key, back)) throw InternalError("bench data: the cache just written did not load");
  });
  r.bytes = w.bytes;
  r.work = ing.work;
  r.work_unit = "rows";
  fs::remove(cache);
  if (!same_dataset(ds, back)) throw InternalError("bench data: the reloaded cache differs from the ingested dataset");
  back = data::Dataset();
  const size_t i_reload = add(r);

  // (d) Network building: every item's historical network over the whole frame, items in parallel.
  const tree::Frame frame = tree::Frame::of(ds, axis);
  std::atomic<uint64_t> links{0};
  BenchStage net = run_stage("network building", opt.repeat, [&] {
    std::atomic<uint32_t> next{0};
    links = 0;
    auto worker = [&] {
      uint64_t n = 0;
      for (uint32_t it = next++; it < ds.items.size(); it = next++) {
        n += tree::historical_network(ds, frame, it, 0, frame.num_buckets - 1).edges.size();
      }
      links += n;
    };
    std::vector<std::thread> pool;
    for (int i = 1; i < threads; ++i) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();
  });
  net.work = double(ds.orders.path_node.size());
  net.work_unit = "path nodes";
  net.note = fmt::format("{} links", links.load());
  add(net);

  // (e) Propagation scale.
  uint64_t updates = 0;
  BenchStage prop = run_stage("propagation scale", opt.repeat, [&] {
    tree::PropagationTable t = tree::build_propagation(ds, axis, args.threads);
    updates = t.path_node_updates;
  });
  prop.work = double(updates);
  prop.work_unit = "updates";
  prop.note = "path-node updates";
  const size_t i_prop = add(prop);

  const BenchStage &s_raw = stages[i_raw], &s_nl = stages[i_nl], &s_ing = stages[i_ing], &s_re = stages[i_reload],
                   &s_prop = stages[i_prop];
  nlohmann::json ratios = {
      {"ingest_vs_raw_read", s_raw.best() / s_ing.best()},
      {"ingest_vs_newline_count", s_nl.best() / s_ing.best()},
      {"cache_reload_speedup", s_ing.best() / s_re.best()},
      {"propagation_updates_per_s", s_prop.rate()},
  };
  if (opt.reference) ratios["ingest_speedup_vs_streaming"] = stages[i_ref].best() / s_ing.best();
  std::printf("%s\n", format_bench_table(stages).c_str());
  std::printf("ingest speed vs raw read:       %5.1f %%   (target >= 25 %%)\n", 100 * double(ratios["ingest_vs_raw_read"]));
  std::printf("ingest speed vs newline count:  %5.1f %%\n", 100 * double(ratios["ingest_vs_newline_count"]));
  std::printf("cache reload vs parsing:        %5.1f x   (target >= 10 x)\n", double(ratios["cache_reload_speedup"]));
  std::printf("propagation:                    %5.1f M path-node updates/s   (target >= 50 M/s)\n",
              s_prop.rate() / 1e6);
  if (opt.reference) {
    std::printf("parallel vs streaming reader:   %5.1f x\n", double(ratios["ingest_speedup_vs_streaming"]));
  }
  if (!opt.json.empty()) {
    nlohmann::json j = {{"bench", "data"},
                        {"data", args.dir},
                        {"files", files},
                        {"bytes", bytes},
                        {"orders", ds.orders.size()},
                        {"edges", ds.edges.size()},
                        {"rows", ds.report.order_rows + ds.report.edge_rows},
                        {"items", ds.items.size()},
                        {"promoters", ds.promoters.size()},
                        {"threads", threads},
                        {"hardware_threads", std::thread::hardware_concurrency()},
                        {"repeat", opt.repeat},
                        {"ratios", ratios},
                        {"stages", nlohmann::json::array()}};
    for (const BenchStage& s : stages) j["stages"].push_back(s.to_json());
    data::write_file_atomic(opt.json, j.dump(2) + "\n");
  }
  return 0;
}

}  // namespace

void add_bench_data(CLI::App& bench, Action& action) {
  auto* cmd = bench.add_subcommand(
      "data", "Stage 1: raw read of the CSV bytes vs ingest, binary cache write/reload, network building, "
              "propagation scale (best of --repeat runs, ratios from the same run)");
  auto args = std::make_shared<DataArgs>();
  auto opt = std::make_shared<BenchDataOptions>();
  args->add(cmd, false);
  cmd->get_option("DATA")->description("Dataset folder (required)");
  cmd->get_option("--cache-dir")->description("Folder for the benchmark's cache file (default: the system temp folder)");
  cmd->remove_option(cmd->get_option("--no-cache"));  // the bench times parsing and the cache explicitly
  cmd->add_option("--repeat", opt->repeat, "Timed runs per stage (the best is reported)")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("--json", opt->json, "Also write every figure as JSON to this file");
  cmd->add_flag("!--no-reference", opt->reference, "Skip the streaming-reader reference ingest (one slow run)");
  cmd->callback([&action, args, opt]() { action = [args, opt]() { return run_bench_data(*args, *opt); }; });
}

void add_bench(CLI::App& app, Action& action) {
  auto* bench = app.add_subcommand("bench", "Benchmarks of whole stages (docs/perf.md)");
  bench->require_subcommand(1);
  add_bench_data(*bench, action);
  add_bench_train(*bench, action);
}

}  // namespace dnts::cli
