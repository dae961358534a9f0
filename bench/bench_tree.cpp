// Kernels of the tree stage on the simulated dataset: propagation scale (path-node updates per
// second) and per-item network building.
#include <benchmark/benchmark.h>

#include "bench_data.h"
#include "dnts/tree/network.h"
#include "dnts/tree/propagation.h"

namespace dnts::bench {
namespace {

// range(0) = threads; wall time (items run on several threads).
void BM_Propagation(benchmark::State& state) {
  const data::Dataset& ds = sim_dataset();
  uint64_t updates = 0;
  for (auto _ : state) {
    tree::PropagationTable t = tree::build_propagation(ds, data::TimeAxis{}, int(state.range(0)));
    updates = t.path_node_updates;
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * int64_t(updates));
  state.SetLabel("items = path-node updates");
}
BENCHMARK(BM_Propagation)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_NetworkBuild(benchmark::State& state) {
  const data::Dataset& ds = sim_dataset();
  const tree::Frame frame = tree::Frame::of(ds, data::TimeAxis{});
  for (auto _ : state) {
    size_t links = 0;
    for (uint32_t item = 0; item < ds.items.size(); ++item) {
      links += tree::historical_network(ds, frame, item, 0, frame.num_buckets - 1).edges.size();
    }
    benchmark::DoNotOptimize(links);
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * int64_t(ds.orders.path_node.size()));
  state.SetLabel("items = path nodes");
}
BENCHMARK(BM_NetworkBuild)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace dnts::bench
