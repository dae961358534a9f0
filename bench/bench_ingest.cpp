// Kernels of ingestion: line splitting, timestamp and row parsing, interning, and whole ingests of a
// small simulated folder (parallel in-memory reader vs the streaming reference).
#include <benchmark/benchmark.h>

#include "bench_data.h"
#include "data/csv_scan_impl.h"
#include "data/ingest_rows_impl.h"
#include "dnts/data/ingest.h"
#include "dnts/data/interner.h"
#include "dnts/data/time.h"

namespace dnts::bench {
namespace {

constexpr size_t kLines = 100000;

void BM_SplitLines(benchmark::State& state) {
  const std::string text = order_lines(kLines);
  std::vector<std::string_view> fields;
  for (auto _ : state) {
    data::LineCursor cur{text.data(), text.data() + text.size()};
    size_t n = 0;
    while (cur.next(fields)) n += fields.size();
    benchmark::DoNotOptimize(n);
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * int64_t(kLines));
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(text.size()));
}
BENCHMARK(BM_SplitLines);

void BM_ParseTimestamp(benchmark::State& state) {
  static const char* const kForms[] = {"2026-01-25T12:48:55Z", "2026-01-25 12:48:55", "2026-01-25",
                                       "1769345335", "2026-01-25T20:48:55+08:00"};
  const std::string_view text = kForms[state.range(0)];
  const data::TimeZone tz;
  for (auto _ : state) {
    benchmark::DoNotOptimize(data::parse_timestamp(text, tz));
  }
  state.SetItemsProcessed(int64_t(state.iterations()));
  state.SetLabel(std::string(text));
}
BENCHMARK(BM_ParseTimestamp)->DenseRange(0, 4);

void BM_ParseOrderRow(benchmark::State& state) {
  const std::string text = order_lines(kLines);
  std::vector<std::vector<std::string_view>> rows;
  {
    data::LineCursor cur{text.data(), text.data() + text.size()};
    std::vector<std::string_view> fields;
    while (cur.next(fields)) rows.push_back(fields);
  }
  data::Header h;
  h.index = {0, 1, 2, 3, -1};
  h.num_fields = 4;
  const data::TimeZone tz;
  const std::string file = "orders.csv";
  data::OrderRow row;
  std::vector<std::string_view> segs;
  for (auto _ : state) {
    data::RowRejects rejects;
    int64_t ok = 0;
    for (size_t i = 0; i < rows.size(); ++i) {
      ok += data::parse_order_row(rows[i], h, tz, file, int64_t(i), rejects, row, segs);
    }
    benchmark::DoNotOptimize(ok);
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * int64_t(rows.size()));
}
BENCHMARK(BM_ParseOrderRow);

// Interning promoter ids: `range(0)` distinct names among 1 M lookups (mostly hits, as in a log).
void BM_Intern(benchmark::State& state) {
  const std::vector<std::string> ids = promoter_ids(1000000, size_t(state.range(0)));
  for (auto _ : state) {
    data::Interner in;
    uint64_t sum = 0;
    for (const auto& s : ids) sum += in.intern(s);
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * int64_t(ids.size()));
}
BENCHMARK(BM_Intern)->Arg(1000)->Arg(100000);

// Whole ingest of the simulated folder (no cache): range(0) = parse workers; range(1) = 1 for the
// streaming reference reader. Wall time: the work runs on several threads.
void BM_Ingest(benchmark::State& state) {
  data::IngestOptions io;
  io.data_dir = sim_dir();
  io.use_cache = false;
  io.threads = int(state.range(0));
  io.streaming = state.range(1) == 1;
  int64_t rows = 0;
  for (auto _ : state) {
    data::Dataset ds = data::ingest(io);
    rows = ds.report.order_rows + ds.report.edge_rows;
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * rows);
  state.SetLabel(io.streaming ? "streaming" : "in-memory");
}
BENCHMARK(BM_Ingest)->Args({1, 0})->Args({2, 0})->Args({1, 1})->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace dnts::bench
