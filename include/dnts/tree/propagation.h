// The dynamic promotion networks of every item and the exact propagation scale (METHOD.md §1-2).
// For each item, its promoter sub-table (local ids in order of first appearance) and, per
// (promoter, bucket) with any activity, self-sales s, propagation scale y, children joined and new
// descendants. Computed in one pass over each item's events in time order; items run in parallel.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dnts/data/dataset.h"
#include "dnts/data/time.h"

namespace dnts::tree {

/// The buckets a dataset spans: bucket k (0-based, "relative") is global bucket first_bucket + k.
struct Frame {
  data::TimeAxis axis;
  int64_t first_bucket = 0;
  int32_t num_buckets = 0;

  /// The frame covering every order and edge of `ds`.
  static Frame of(const data::Dataset& ds, const data::TimeAxis& axis);
  int32_t bucket(int64_t unix_s) const { return static_cast<int32_t>(axis.bucket_of(unix_s) - first_bucket); }
  int64_t bucket_start(int32_t rel) const { return axis.bucket_start(first_bucket + rel); }
  std::string label(int32_t rel) const { return axis.label(first_bucket + rel); }
};

/// One (promoter, bucket) of an item with any activity: an order's path passing through the
/// promoter, a child joining it, or a new descendant.
struct Cell {
  int32_t bucket = 0;            ///< relative bucket (Frame)
  uint32_t orders = 0;           ///< orders whose path passes through the promoter
  double self_sales = 0;         ///< s: amount of orders placed through the promoter's own link
  double scale = 0;              ///< y: amount of orders whose path contains the promoter
  uint32_t children_joined = 0;  ///< distinct direct children first linked under it in this bucket
  uint32_t new_descendants = 0;  ///< promoters first seen below it (on an observed path) in this bucket
};

/// A promotion link parent -> child of an item (local ids) and the bucket it was first seen.
struct Link {
  uint32_t parent = 0;
  uint32_t child = 0;
  int32_t first_bucket = 0;
};

/// The item-specific promoter sub-table over the whole frame. Local ids follow first appearance, so
/// the promoters present at a bucket t are exactly the locals 0 .. n(t)-1 (join_bucket is sorted).
struct ItemTable {
  uint32_t item = 0;
  std::vector<uint32_t> promoters;    ///< local id -> global promoter id, in order of first appearance
  std::vector<int32_t> join_bucket;   ///< relative bucket of each promoter's first appearance
  std::vector<uint64_t> cell_offset;  ///< CSR by local id into cells (size promoters.size() + 1)
  std::vector<Cell> cells;            ///< per local id, sorted by bucket
  std::vector<Link> links;            ///< every distinct link, in order of first appearance

  /// Number of promoters that joined at or before relative bucket t.
  uint32_t promoters_at(int32_t t) const;

  size_t num_promoters() const { return promoters.size(); }
  const Cell* cells_begin(uint32_t local) const { return cells.data() + cell_offset[local]; }
  const Cell* cells_end(uint32_t local) const { return cells.data() + cell_offset[local + 1]; }
  /// Local id of a global promoter id, or data::kNoId (linear in the sub-table size).
  uint32_t local_of(uint32_t promoter) const;
};

/// A promoter's totals across items in one bucket.
struct TotalCell {
  int32_t bucket = 0;
  uint32_t items = 0;  ///< items in which an order's path passed through the promoter
  double self_sales = 0;
  double scale = 0;
};

struct PropagationTable {
  Frame frame;
  std::vector<ItemTable> items;         ///< indexed by item id
  std::vector<uint64_t> total_offset;   ///< CSR by global promoter id into totals
  std::vector<TotalCell> totals;        ///< per promoter, sorted by bucket
  uint64_t path_node_updates = 0;       ///< Σ over orders of path length (work done)
};

/// Builds every item's networks and series. `threads` <= 0: hardware concurrency.
PropagationTable build_propagation(const data::Dataset& ds, const data::TimeAxis& axis, int threads = 0);

/// Writes the metric: item,promoter,day,self_sales,propagation_scale, one row per (item, promoter,
/// bucket) with non-zero activity (y > 0: the promoter's own sales or sales through its link),
/// ordered by item, bucket, promoter; then rows with item "*" holding each promoter's totals across
/// items (y > 0).
/// Returns the number of rows written.
int64_t write_scale_csv(const data::Dataset& ds, const PropagationTable& table, const std::string& path);

}  // namespace dnts::tree
