// DFS-based descendant sampling (METHOD.md §4.2) and the routing targets of the sampled pairs.
// For an item at origin t0, every promoter m of the sub-table (locals 0..n-1) gets up to K
// descendants from a depth-first walk of the historical network up to t0, visiting children in the
// order of their link's recency (last bucket used in the input window), then volume in the window,
// then a tie-break: random in training (rng given), by local id at inference (rng null).
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "dnts/data/dataset.h"
#include "dnts/tree/propagation.h"

namespace dnts::tree {

/// Sampled pairs: src[p] = m, dst[p] = c (local ids = sub-table rows), grouped by m in row order;
/// each m's descendants in DFS preorder.
struct DescendantPairs {
  std::vector<uint32_t> src;
  std::vector<uint32_t> dst;
  size_t size() const { return src.size(); }
};

/// `window`: input buckets (t0-window+1 .. t0) that define recency and volume.
DescendantPairs sample_descendants(const data::Dataset& ds, const PropagationTable& table, uint32_t item,
                                   int32_t t0, int32_t window, int64_t k, std::mt19937_64* rng);

/// Routing targets of sampled pairs over the horizon t0+1 .. t0+H: share[p * H + h] = R_{t0+1+h}[m, c]
/// and known[p * H + h] = 1 where c has orders in that bucket (else the share is undefined: masked).
void routing_targets(const data::Dataset& ds, const PropagationTable& table, uint32_t item, int32_t t0,
                     int64_t horizon, const DescendantPairs& pairs, std::vector<float>& share,
                     std::vector<float>& known);

}  // namespace dnts::tree
