// Bucket / historical networks and the routing matrix of one item, computed from its orders.
#include "dnts/tree/network.h"

#include <algorithm>
#include <map>

#include "data/flat_map_impl.h"

namespace dnts::tree {

using data::FlatMap64;
using data::kNoId;
using data::pair_key;

std::pair<uint64_t, uint64_t> order_range(const data::Dataset& ds, const Frame& frame, uint32_t item, int32_t from,
                                          int32_t to) {
  const auto& ts = ds.orders.ts;
  auto b = ts.begin() + int64_t(ds.item_order_offset[item]);
  auto e = ts.begin() + int64_t(ds.item_order_offset[item + 1]);
  int64_t t0 = frame.bucket_start(from), t1 = frame.bucket_start(to + 1);
  auto lo = std::lower_bound(b, e, t0);
  auto hi = std::lower_bound(lo, e, t1);
  return {uint64_t(lo - ts.begin()), uint64_t(hi - ts.begin())};
}

std::pair<const NetworkEdge*, const NetworkEdge*> Network::children(uint32_t parent) const {
  auto lo = std::lower_bound(edges.begin(), edges.end(), parent,
                             [](const NetworkEdge& e, uint32_t p) { return e.parent < p; });
  auto hi = std::upper_bound(lo, edges.end(), parent, [](uint32_t p, const NetworkEdge& e) { return p < e.parent; });
  return {edges.data() + (lo - edges.begin()), edges.data() + (hi - edges.begin())};
}

Network historical_network(const data::Dataset& ds, const Frame& frame, uint32_t item, int32_t from, int32_t to) {
  Network net;
  FlatMap64 index(64);
  std::vector<uint32_t> roots;
  auto add_link = [&](uint32_t p, uint32_t c, int32_t b, double amount, uint32_t orders) {
    bool inserted = false;
    uint32_t& k = index.emplace(pair_key(p, c), uint32_t(net.edges.size()), inserted);
    if (inserted) {
      NetworkEdge e;
      e.parent = p;
      e.child = c;
      e.first_bucket = e.last_bucket = b;
      net.edges.push_back(e);
    }
    NetworkEdge& e = net.edges[k];
    e.first_bucket = std::min(e.first_bucket, b);
    e.last_bucket = std::max(e.last_bucket, b);
    e.orders += orders;
    e.volume += amount;
  };
  auto [ob, oe] = order_range(ds, frame, item, from, to);
  const data::Orders& o = ds.orders;
  for (uint64_t i = ob; i < oe; ++i) {
    auto [pb, pe] = o.path(i);
    int32_t b = frame.bucket(o.ts[i]);
    roots.push_back(*pb);
    net.nodes.insert(net.nodes.end(), pb, pe);
    for (const uint32_t* it = pb + 1; it < pe; ++it) add_link(it[-1], *it, b, o.amount[i], 1);
  }
  const data::Edges& e = ds.edges;
  for (uint64_t i = ds.item_edge_offset[item]; i < ds.item_edge_offset[item + 1]; ++i) {
    int32_t b = frame.bucket(e.ts[i]);
    if (b < from || b > to) continue;
    net.nodes.push_back(e.child[i]);
    if (e.parent[i] == kNoId) {
      roots.push_back(e.child[i]);
    } else {
      net.nodes.push_back(e.parent[i]);
      add_link(e.parent[i], e.child[i], b, 0.0, 0);
    }
  }
  std::sort(net.nodes.begin(), net.nodes.end());
  net.nodes.erase(std::unique(net.nodes.begin(), net.nodes.end()), net.nodes.end());
  std::sort(net.edges.begin(), net.edges.end(),
            [](const NetworkEdge& a, const NetworkEdge& b) { return std::tie(a.parent, a.child) < std::tie(b.parent, b.child); });
  // Roots: nodes that start an order path or attach to the item's root by an edge event.
  std::sort(roots.begin(), roots.end());
  roots.erase(std::unique(roots.begin(), roots.end()), roots.end());
  net.roots = std::move(roots);
  return net;
}

std::vector<Route> routing_matrix(const data::Dataset& ds, const Frame& frame, uint32_t item, int32_t bucket,
                                  std::vector<uint32_t>* sellers) {
  auto [ob, oe] = order_range(ds, frame, item, bucket, bucket);
  const data::Orders& o = ds.orders;
  std::map<uint32_t, std::pair<double, uint32_t>> own;                    // c -> (amount, orders)
  std::map<std::pair<uint32_t, uint32_t>, std::pair<double, uint32_t>> through;  // (m, c) -> (amount, orders)
  for (uint64_t i = ob; i < oe; ++i) {
    auto [pb, pe] = o.path(i);
    uint32_t c = pe[-1];
    auto& s = own[c];
    s.first += o.amount[i];
    s.second += 1;
    for (const uint32_t* it = pb; it + 1 < pe; ++it) {
      auto& t = through[{*it, c}];
      t.first += o.amount[i];
      t.second += 1;
    }
  }
  if (sellers != nullptr) {
    sellers->clear();
    for (const auto& [c, s] : own) sellers->push_back(c);
  }
  std::vector<Route> out;
  out.reserve(through.size());
  for (const auto& [key, v] : through) {
    const auto& s = own[key.second];
    double share = s.first > 0 ? v.first / s.first : double(v.second) / double(s.second);
    out.push_back(Route{key.first, key.second, share});
  }
  return out;
}

}  // namespace dnts::tree
