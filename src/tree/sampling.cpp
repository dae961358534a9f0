#include "dnts/tree/sampling.h"

#include <algorithm>
#include <map>

#include "data/flat_map_impl.h"
#include "dnts/tree/network.h"

namespace dnts::tree {

using data::FlatMap64;
using data::pair_key;

namespace {

// Global -> local ids of one item (hash map; the sub-table can be large).
FlatMap64 local_index(const ItemTable& it, uint32_t n) {
  FlatMap64 idx(n + 1);
  for (uint32_t l = 0; l < n; ++l) idx.set(it.promoters[l], l);
  return idx;
}

}  // namespace

DescendantPairs sample_descendants(const data::Dataset& ds, const PropagationTable& table, uint32_t item,
                                   int32_t t0, int32_t window, int64_t k, std::mt19937_64* rng) {
  DescendantPairs out;
  const ItemTable& it = table.items[item];
  const uint32_t n = it.promoters_at(t0);
  if (n == 0 || k <= 0) return out;
  // Links present by t0 (links are in first-appearance order).
  size_t n_links = 0;
  while (n_links < it.links.size() && it.links[n_links].first_bucket <= t0) ++n_links;
  if (n_links == 0) return out;
  // Recency and volume of each link inside the input window.
  FlatMap64 link_index(n_links + 1);
  for (uint32_t e = 0; e < n_links; ++e) link_index.set(pair_key(it.links[e].parent, it.links[e].child), e);
  std::vector<int32_t> last(n_links, INT32_MIN);
  std::vector<double> volume(n_links, 0.0);
  FlatMap64 local = local_index(it, n);
  auto [ob, oe] = order_range(ds, table.frame, item, std::max(0, t0 - window + 1), t0);
  const data::Orders& o = ds.orders;
  for (uint64_t i = ob; i < oe; ++i) {
    auto [pb, pe] = o.path(i);
    int32_t b = table.frame.bucket(o.ts[i]);
    for (const uint32_t* p = pb + 1; p < pe; ++p) {
      uint32_t e = link_index.get(pair_key(local.get(p[-1]), local.get(*p)));
      if (e == FlatMap64::kMissing) continue;
      last[e] = std::max(last[e], b);
      volume[e] += o.amount[i];
    }
  }
  // Children lists (CSR by parent), sorted by the visiting order.
  std::vector<uint32_t> tie(n_links);
  for (uint32_t e = 0; e < n_links; ++e) tie[e] = rng ? static_cast<uint32_t>((*rng)()) : it.links[e].child;
  std::vector<uint32_t> order(n_links);
  for (uint32_t e = 0; e < n_links; ++e) order[e] = e;
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    const Link &la = it.links[a], &lb = it.links[b];
    if (la.parent != lb.parent) return la.parent < lb.parent;
    if (last[a] != last[b]) return last[a] > last[b];
    if (volume[a] != volume[b]) return volume[a] > volume[b];
    return tie[a] != tie[b] ? tie[a] < tie[b] : la.child < lb.child;
  });
  std::vector<uint32_t> start(n + 1, 0);
  for (uint32_t e : order) ++start[it.links[e].parent + 1];
  for (uint32_t v = 0; v < n; ++v) start[v + 1] += start[v];
  std::vector<uint32_t> children(n_links);
  for (uint32_t i = 0; i < n_links; ++i) children[i] = it.links[order[i]].child;
  // DFS preorder from every node, up to k distinct descendants (the union graph may be a DAG).
  std::vector<uint32_t> seen(n, UINT32_MAX);
  std::vector<std::pair<uint32_t, uint32_t>> stack;  // (node, next child index)
  for (uint32_t m = 0; m < n; ++m) {
    int64_t taken = 0;
    seen[m] = m;
    stack.assign(1, {m, start[m]});
    while (!stack.empty() && taken < k) {
      auto& [v, next] = stack.back();
      if (next == start[v + 1]) {
        stack.pop_back();
        continue;
      }
      uint32_t c = children[next++];
      if (seen[c] == m) continue;
      seen[c] = m;
      out.src.push_back(m);
      out.dst.push_back(c);
      ++taken;
      stack.emplace_back(c, start[c]);
    }
  }
  return out;
}

void routing_targets(const data::Dataset& ds, const PropagationTable& table, uint32_t item, int32_t t0,
                     int64_t horizon, const DescendantPairs& pairs, std::vector<float>& share,
                     std::vector<float>& known) {
  const ItemTable& it = table.items[item];
  const size_t P = pairs.size();
  share.assign(P * size_t(horizon), 0.0f);
  known.assign(P * size_t(horizon), 0.0f);
  if (P == 0) return;
  FlatMap64 pair_index(P + 1);
  for (uint32_t p = 0; p < P; ++p) pair_index.set(pair_key(it.promoters[pairs.src[p]], it.promoters[pairs.dst[p]]), p);
  for (int64_t h = 0; h < horizon; ++h) {
    int32_t b = t0 + 1 + int32_t(h);
    if (b >= table.frame.num_buckets) break;
    // Sampled descendants with orders in bucket b have a defined share (0 unless routed through m).
    std::vector<uint32_t> sellers;
    std::vector<Route> routes = routing_matrix(ds, table.frame, item, b, &sellers);
    for (uint32_t p = 0; p < P; ++p) {
      if (std::binary_search(sellers.begin(), sellers.end(), it.promoters[pairs.dst[p]]))
        known[p * size_t(horizon) + size_t(h)] = 1.0f;
    }
    for (const Route& r : routes) {
      uint32_t p = pair_index.get(pair_key(r.via, r.to));
      if (p != FlatMap64::kMissing) share[p * size_t(horizon) + size_t(h)] = float(r.share);
    }
  }
}

}  // namespace dnts::tree
