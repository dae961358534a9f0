// Per-item promotion networks on demand: the bucket network G_t, the historical network over a
// window (with edge recency and volume, as the descendant sampler needs), and the routing matrix.
#pragma once

#include <cstdint>
#include <vector>

#include "dnts/data/dataset.h"
#include "dnts/tree/propagation.h"

namespace dnts::tree {

/// A directed promotion link parent -> child observed in a window.
struct NetworkEdge {
  uint32_t parent = 0;  ///< global promoter id
  uint32_t child = 0;   ///< global promoter id
  int32_t first_bucket = 0;
  int32_t last_bucket = 0;
  uint32_t orders = 0;  ///< orders whose path uses the link
  double volume = 0;    ///< amount of those orders
};

/// Nodes and links of an item over a window [from, to] (relative buckets, inclusive): the union of
/// the paths of the window's orders and of the window's edge events.
struct Network {
  std::vector<uint32_t> nodes;      ///< global promoter ids, sorted
  std::vector<NetworkEdge> edges;   ///< sorted by (parent, child)
  std::vector<uint32_t> roots;      ///< nodes that start a path or attach to the item's root, sorted
  /// Children of `parent`, as a range of `edges`.
  std::pair<const NetworkEdge*, const NetworkEdge*> children(uint32_t parent) const;
};

Network historical_network(const data::Dataset& ds, const Frame& frame, uint32_t item, int32_t from, int32_t to);
inline Network bucket_network(const data::Dataset& ds, const Frame& frame, uint32_t item, int32_t bucket) {
  return historical_network(ds, frame, item, bucket, bucket);
}

/// One non-zero entry of R_t: the share of `to`'s bucket-t self-sales whose path passes through `via`.
struct Route {
  uint32_t via = 0;  ///< global promoter id (m)
  uint32_t to = 0;   ///< global promoter id (c), c != m
  double share = 0;
};

/// Routing matrix R_t of an item, entries sorted by (via, to). Promoters whose self-sales in the
/// bucket are zero (only amount-0 orders) route by order count instead of amount. `sellers`, when
/// given, receives the promoters with orders through their own link in the bucket (sorted): the c
/// for which a column of R_t is defined.
std::vector<Route> routing_matrix(const data::Dataset& ds, const Frame& frame, uint32_t item, int32_t bucket,
                                  std::vector<uint32_t>* sellers = nullptr);

/// Range of the item's orders (indices into ds.orders) in buckets [from, to].
std::pair<uint64_t, uint64_t> order_range(const data::Dataset& ds, const Frame& frame, uint32_t item, int32_t from,
                                          int32_t to);

}  // namespace dnts::tree
