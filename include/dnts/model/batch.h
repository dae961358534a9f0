// One batch layout for DNTS and every baseline: the (item, promoter) rows of several (item, origin)
// samples stacked, with the sampled descendant pairs (LSM), the hypergraph incidence (GHM) and the
// targets. Built in one place from the propagation table; nothing after an origin reaches `x`.
#pragma once

#include <climits>
#include <cstdint>
#include <random>
#include <vector>

#include <torch/torch.h>

#include "dnts/data/dataset.h"
#include "dnts/tree/propagation.h"

namespace dnts::model {

/// A forecasting sample: an item and its origin t0 (relative bucket, the last observed one).
struct SampleRef {
  uint32_t item = 0;
  int32_t origin = 0;
  bool operator==(const SampleRef& o) const { return item == o.item && origin == o.origin; }
};

struct Batch {
  std::vector<SampleRef> samples;
  std::vector<int64_t> row_offset;    ///< rows of sample i: [row_offset[i], row_offset[i+1])
  std::vector<uint32_t> row_promoter; ///< global promoter id of each row
  torch::Tensor x;                    ///< [N, L, F] float input features
  torch::Tensor y_hist;               ///< [N, L] raw y over the input window (statistical baselines)
  torch::Tensor edge_src, edge_dst;   ///< [E] int64 promotion links parent row -> child row seen by the origin (ST-GNN)
  torch::Tensor pair_src, pair_dst;   ///< [P] int64: row pair_dst[p] is a sampled descendant of row pair_src[p]
  torch::Tensor hyper_vertex, hyper_edge;  ///< [Q] int64 incidence pairs (row, hyperedge)
  int64_t num_hyperedges = 0;         ///< (promoter, origin) hyperedges across samples, then one per sample
  torch::Tensor y, s, active;         ///< [N, H] targets: propagation scale, self-sales, 1[s > 0]
  torch::Tensor mask;                 ///< [N, H] 1 where the target bucket lies inside the data
  torch::Tensor route, route_known;   ///< [P, H] routing share R[m, c] and 1 where c sold (defined)
  torch::Tensor last_scale, mean_scale;  ///< [N] y at the origin / mean y per bucket since the item's launch (baselines)

  int64_t rows() const { return x.size(0); }
  int64_t pairs() const { return pair_src.size(0); }
  Batch to(torch::Device device) const;
};

/// Builds a batch. `rng` non-null: training (random DFS tie-breaks); null: deterministic inference.
/// Targets in buckets after `target_cutoff` are masked (a split's targets never reach into the time
/// of a later split's origins).
Batch make_batch(const data::Dataset& ds, const tree::PropagationTable& table, const std::vector<SampleRef>& samples,
                 int64_t window, int64_t horizon, int64_t sample_k, std::mt19937_64* rng,
                 torch::Device device = torch::kCPU, int32_t target_cutoff = INT32_MAX);

}  // namespace dnts::model
