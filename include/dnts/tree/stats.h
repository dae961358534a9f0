// `dnts stats`: a dataset at a glance (sizes, path depths, sparsity, how front-loaded items are,
// top promoters by propagation scale).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "dnts/data/dataset.h"
#include "dnts/tree/propagation.h"

namespace dnts::tree {

struct TopPromoter {
  std::string id;
  double scale = 0;       ///< Σ over items and buckets of y
  double self_sales = 0;  ///< Σ of s
  uint32_t items = 0;     ///< items whose orders passed through it
};

struct DatasetStats {
  int64_t items = 0, promoters = 0, buckets = 0, orders = 0, edges = 0, item_promoter_pairs = 0;
  int64_t promoters_multi_item = 0;  ///< promoters in >= 2 items
  int64_t explicit_paths = 0;        ///< orders with a `path` column value
  double total_amount = 0;
  std::string first_bucket, last_bucket, bucket_width;
  std::vector<int64_t> depth_hist;   ///< orders by path length 1, 2, 3, 4, 5, >= 6
  double zero_self_share = 0;        ///< share of (item, promoter, bucket) with s = 0, from join to item's last bucket
  double zero_scale_share = 0;       ///< same with y = 0
  std::vector<std::pair<std::string, double>> age_share;  ///< share of order amount by item age
  std::vector<TopPromoter> top;
};

DatasetStats compute_stats(const data::Dataset& ds, const PropagationTable& table, size_t top_k = 10);
std::string format_stats(const DatasetStats& s);
nlohmann::json stats_to_json(const DatasetStats& s);

}  // namespace dnts::tree
