#include "dnts/tree/stats.h"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace dnts::tree {

DatasetStats compute_stats(const data::Dataset& ds, const PropagationTable& t, size_t top_k) {
  DatasetStats s;
  const data::Orders& o = ds.orders;
  s.items = ds.items.size();
  s.promoters = ds.promoters.size();
  s.buckets = t.frame.num_buckets;
  s.orders = int64_t(o.size());
  s.edges = int64_t(ds.edges.size());
  s.bucket_width = data::TimeAxis::width_to_string(t.frame.axis.width_s);
  if (t.frame.num_buckets > 0) {
    s.first_bucket = t.frame.label(0);
    s.last_bucket = t.frame.label(t.frame.num_buckets - 1);
  }
  s.depth_hist.assign(6, 0);
  for (size_t i = 0; i < o.size(); ++i) {
    s.total_amount += o.amount[i];
    s.explicit_paths += o.path_explicit[i];
    ++s.depth_hist[std::min<size_t>(o.path_length(i), 6) - 1];
  }
  // Front-loading: share of order amount by age since the item's first event.
  static const std::pair<const char*, int64_t> kAges[] = {
      {"first 1h", 3600}, {"1h-6h", 6 * 3600}, {"6h-24h", 86400}, {"1d-7d", 7 * 86400}, {"7d-30d", 30 * 86400},
      {">30d", INT64_MAX}};
  std::vector<double> by_age(std::size(kAges), 0.0);
  for (uint32_t item = 0; item < ds.items.size(); ++item) {
    int64_t first = INT64_MAX;
    uint64_t ob = ds.item_order_offset[item], oe = ds.item_order_offset[item + 1];
    if (ob < oe) first = o.ts[ob];
    if (ds.item_edge_offset[item] < ds.item_edge_offset[item + 1]) first = std::min(first, ds.edges.ts[ds.item_edge_offset[item]]);
    for (uint64_t i = ob; i < oe; ++i) {
      int64_t age = o.ts[i] - first;
      size_t k = 0;
      while (age >= kAges[k].second) ++k;
      by_age[k] += o.amount[i];
    }
  }
  for (size_t k = 0; k < by_age.size(); ++k)
    s.age_share.emplace_back(kAges[k].first, s.total_amount > 0 ? by_age[k] / s.total_amount : 0.0);
  // Sparsity over each promoter's life in the item (join bucket .. the item's last active bucket).
  int64_t cells = 0, zero_s = 0, zero_y = 0;
  std::vector<uint32_t> items_of(ds.promoters.size(), 0);
  for (const ItemTable& it : t.items) {
    s.item_promoter_pairs += int64_t(it.num_promoters());
    int32_t last = INT32_MIN;
    for (const Cell& c : it.cells) last = std::max(last, c.bucket);
    for (uint32_t l = 0; l < it.num_promoters(); ++l) {
      ++items_of[it.promoters[l]];
      if (last < it.join_bucket[l]) continue;
      int64_t life = last - it.join_bucket[l] + 1;
      int64_t with_s = 0, with_y = 0;
      for (const Cell* c = it.cells_begin(l); c != it.cells_end(l); ++c) {
        with_s += c->self_sales > 0;
        with_y += c->scale > 0;
      }
      cells += life;
      zero_s += life - with_s;
      zero_y += life - with_y;
    }
  }
  for (uint32_t n : items_of) s.promoters_multi_item += n >= 2;
  s.zero_self_share = cells > 0 ? double(zero_s) / double(cells) : 0.0;
  s.zero_scale_share = cells > 0 ? double(zero_y) / double(cells) : 0.0;
  // Top promoters by total propagation scale across items.
  std::vector<TopPromoter> all;
  for (uint32_t p = 0; p + 1 < t.total_offset.size(); ++p) {
    TopPromoter tp;
    for (uint64_t k = t.total_offset[p]; k < t.total_offset[p + 1]; ++k) {
      tp.scale += t.totals[k].scale;
      tp.self_sales += t.totals[k].self_sales;
    }
    if (tp.scale <= 0 && tp.self_sales <= 0) continue;
    tp.id = std::string(ds.promoters.name(p));
    tp.items = items_of[p];
    all.push_back(std::move(tp));
  }
  size_t k = std::min(top_k, all.size());
  std::partial_sort(all.begin(), all.begin() + int64_t(k), all.end(), [](const TopPromoter& a, const TopPromoter& b) {
    return a.scale != b.scale ? a.scale > b.scale : a.id < b.id;
  });
  all.resize(k);
  s.top = std::move(all);
  return s;
}

std::string format_stats(const DatasetStats& s) {
  std::string out;
  auto pct = [](double x) { return fmt::format("{:6.2f}%", 100.0 * x); };
  out += fmt::format("items            {:>12}\n", s.items);
  out += fmt::format("promoters        {:>12}   ({} in >= 2 items)\n", s.promoters, s.promoters_multi_item);
  out += fmt::format("(item, promoter) {:>12}\n", s.item_promoter_pairs);
  out += fmt::format("orders           {:>12}   (amount {:.12g}; {} with an explicit path)\n", s.orders, s.total_amount,
                     s.explicit_paths);
  out += fmt::format("edge events      {:>12}\n", s.edges);
  out += fmt::format("buckets          {:>12}   of {}, {} .. {}\n", s.buckets, s.bucket_width, s.first_bucket,
                     s.last_bucket);
  out += "\npath depth (orders by path length)\n";
  int64_t max_d = 1;
  for (int64_t v : s.depth_hist) max_d = std::max(max_d, v);
  for (size_t d = 0; d < s.depth_hist.size(); ++d) {
    int bar = int(40.0 * double(s.depth_hist[d]) / double(max_d) + 0.5);
    out += fmt::format("  {:>3} {:>12} {} {}\n", d + 1 == s.depth_hist.size() ? ">=6" : std::to_string(d + 1),
                       s.depth_hist[d], pct(s.orders ? double(s.depth_hist[d]) / double(s.orders) : 0),
                       std::string(size_t(bar), '#'));
  }
  out += fmt::format("\nsparsity over promoters' lives (join .. item's last active bucket)\n");
  out += fmt::format("  buckets with no self-sales        {}\n", pct(s.zero_self_share));
  out += fmt::format("  buckets with no propagation scale {}\n", pct(s.zero_scale_share));
  out += "\nfront-loading: share of order amount by item age (since the item's first event)\n";
  for (const auto& [name, share] : s.age_share) {
    out += fmt::format("  {:>7} {} {}\n", name, pct(share), std::string(size_t(40 * share + 0.5), '#'));
  }
  out += fmt::format("\ntop {} promoters by propagation scale (all items)\n", s.top.size());
  out += fmt::format("  {:>4}  {:<24} {:>14} {:>14} {:>7}\n", "rank", "promoter", "scale", "self_sales", "items");
  for (size_t i = 0; i < s.top.size(); ++i) {
    const auto& t = s.top[i];
    out += fmt::format("  {:>4}  {:<24} {:>14.6g} {:>14.6g} {:>7}\n", i + 1, t.id, t.scale, t.self_sales, t.items);
  }
  return out;
}

nlohmann::json stats_to_json(const DatasetStats& s) {
  nlohmann::json j;
  j["items"] = s.items;
  j["promoters"] = s.promoters;
  j["promoters_multi_item"] = s.promoters_multi_item;
  j["item_promoter_pairs"] = s.item_promoter_pairs;
  j["orders"] = s.orders;
  j["explicit_paths"] = s.explicit_paths;
  j["total_amount"] = s.total_amount;
  j["edges"] = s.edges;
  j["buckets"] = s.buckets;
  j["bucket_width"] = s.bucket_width;
  j["first_bucket"] = s.first_bucket;
  j["last_bucket"] = s.last_bucket;
  j["depth_hist"] = s.depth_hist;
  j["zero_self_share"] = s.zero_self_share;
  j["zero_scale_share"] = s.zero_scale_share;
  for (const auto& [name, share] : s.age_share) j["age_share"][name] = share;
  for (const auto& t : s.top)
    j["top"].push_back({{"promoter", t.id}, {"scale", t.scale}, {"self_sales", t.self_sales}, {"items", t.items}});
  return j;
}

}  // namespace dnts::tree
