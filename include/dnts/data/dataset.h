// The parsed, validated event log of one dataset folder: interned ids, orders with their resolved
// promotion paths, and edge events. This is what the binary cache stores; everything downstream
// (networks, propagation scale, model tensors) is derived from it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "dnts/data/interner.h"
#include "dnts/data/time.h"

namespace dnts::data {

/// Orders, structure-of-arrays, sorted by (item, ts, input line). Every order has a resolved path
/// root→…→promoter (path_node[path_offset[o] .. path_offset[o+1]]): the `path` column when given,
/// otherwise the promoter's ancestor chain in edges.csv as of the order's time.
struct Orders {
  std::vector<uint32_t> item;
  std::vector<uint32_t> promoter;
  std::vector<int64_t> ts;  ///< Unix seconds (UTC)
  std::vector<double> amount;
  std::vector<uint8_t> path_explicit;  ///< 1 when the path came from the `path` column
  std::vector<uint64_t> path_offset;   ///< size() + 1 entries
  std::vector<uint32_t> path_node;     ///< promoter ids, root first, the order's promoter last

  size_t size() const { return item.size(); }
  /// Path of order `o` as [begin, end) pointers.
  std::pair<const uint32_t*, const uint32_t*> path(size_t o) const {
    return {path_node.data() + path_offset[o], path_node.data() + path_offset[o + 1]};
  }
  uint32_t path_length(size_t o) const { return static_cast<uint32_t>(path_offset[o + 1] - path_offset[o]); }
};

/// Edge events, sorted by (item, ts, input line). parent == kNoId: the child attaches to the root.
struct Edges {
  std::vector<uint32_t> item;
  std::vector<uint32_t> parent;
  std::vector<uint32_t> child;
  std::vector<int64_t> ts;
  size_t size() const { return item.size(); }
};

/// What ingestion saw and did: nothing is dropped without being counted here.
struct IngestReport {
  int64_t order_rows = 0;  ///< data rows read from orders.csv
  int64_t edge_rows = 0;   ///< data rows read from edges.csv
  std::map<std::string, int64_t> skipped;          ///< lenient mode: reason -> rows skipped
  std::map<std::string, int64_t> merged;           ///< documented merges, e.g. exact duplicate edges
  std::vector<std::string> warnings;               ///< e.g. ignored extra columns
  std::vector<std::string> examples;               ///< first messages of skipped rows (lenient)
  bool from_cache = false;
  double seconds = 0;
  int64_t skipped_total() const {
    int64_t n = 0;
    for (const auto& [k, v] : skipped) n += v;
    return n;
  }
};

struct Dataset {
  Interner items;
  Interner promoters;
  Orders orders;
  Edges edges;
  /// CSR offsets per item id into orders / edges (size items.size() + 1).
  std::vector<uint64_t> item_order_offset;
  std::vector<uint64_t> item_edge_offset;
  TimeZone tz;  ///< zone used to read naive timestamps (and the default for bucketing)
  IngestReport report;

  int64_t min_ts() const;  ///< earliest order or edge time
  int64_t max_ts() const;  ///< latest order or edge time
  /// Recomputes item_order_offset / item_edge_offset from the sorted arrays.
  void index_items();
};

}  // namespace dnts::data
