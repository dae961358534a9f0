// Exact propagation scale and network series per item (METHOD.md §1-2), one pass per item.
#include "dnts/tree/propagation.h"

#include <algorithm>
#include <atomic>
#include <functional>
#include <thread>

#include "data/flat_map_impl.h"
#include "dnts/error.h"
#include "dnts/progress.h"

namespace dnts::tree {

using data::FlatMap64;
using data::kNoId;
using data::pair_key;

Frame Frame::of(const data::Dataset& ds, const data::TimeAxis& axis) {
  Frame f;
  f.axis = axis;
  if (ds.orders.size() + ds.edges.size() == 0) return f;
  f.first_bucket = axis.bucket_of(ds.min_ts());
  int64_t last = axis.bucket_of(ds.max_ts());
  DNTS_CHECK(last - f.first_bucket < (int64_t(1) << 30), ConfigError,
             "the data spans {} buckets of {}: choose a wider --bucket", last - f.first_bucket + 1,
             data::TimeAxis::width_to_string(axis.width_s));
  f.num_buckets = static_cast<int32_t>(last - f.first_bucket + 1);
  return f;
}

uint32_t ItemTable::promoters_at(int32_t t) const {
  return static_cast<uint32_t>(std::upper_bound(join_bucket.begin(), join_bucket.end(), t) - join_bucket.begin());
}

uint32_t ItemTable::local_of(uint32_t promoter) const {
  auto it = std::find(promoters.begin(), promoters.end(), promoter);
  return it == promoters.end() ? kNoId : static_cast<uint32_t>(it - promoters.begin());
}

namespace {

// Per-thread scratch reused across items.
struct Scratch {
  std::vector<uint32_t> local_of;  // global promoter -> local id (kNoId when absent)
  // Per-local accumulators of the current bucket, one 32-byte record per local (one cache line).
  struct Acc {
    double s = 0, y = 0;
    uint32_t orders = 0, children = 0, desc = 0, touched = 0;
  };
  std::vector<Acc> acc;
  std::vector<uint32_t> touched;
  std::vector<uint64_t> memo;        // per local: hash of the last fully registered path ending there
  std::vector<uint32_t> cur_parent;  // per local: parent from edge events so far (kNoId = root)
  std::vector<uint32_t> locals;      // path in local ids
  std::vector<uint64_t> prefix_hash;
  std::vector<std::pair<uint32_t, Cell>> out;  // (local, cell) in bucket order
};

class ItemBuilder {
 public:
  ItemBuilder(const data::Dataset& ds, const Frame& frame, Scratch& sc) : ds_(ds), frame_(frame), sc_(sc) {
    if (sc_.local_of.size() < ds.promoters.size()) sc_.local_of.assign(ds.promoters.size(), kNoId);
  }

  ItemTable build(uint32_t item, uint64_t& path_updates) {
    ItemTable t;
    t.item = item;
    table_ = &t;
    links_ = FlatMap64(64);
    pairs_ = FlatMap64(64);
    sc_.out.clear();
    const data::Orders& o = ds_.orders;
    const data::Edges& e = ds_.edges;
    uint64_t oi = ds_.item_order_offset[item], oe = ds_.item_order_offset[item + 1];
    uint64_t ei = ds_.item_edge_offset[item], ee = ds_.item_edge_offset[item + 1];
    cur_bucket_ = INT32_MIN;
    int64_t bucket_begin = 0, bucket_end = 0;  // [start, end) of cur_bucket_ (empty before the first)
    // Tree mode (no explicit path in this item): every order path is an as-of chain of edges already
    // seen, so descendants are counted from edge events alone, without the pair set (O(depth) per
    // join, O(promoters) memory: a 10,000-deep chain stays cheap).
    tree_mode_ = true;
    for (uint64_t i = oi; i < oe && tree_mode_; ++i) tree_mode_ = o.path_explicit[i] == 0;
    // Merge edge events and orders by time; at equal times edges come first (an edge at ts is in
    // effect for an order at ts).
    while (oi < oe || ei < ee) {
      bool take_edge = ei < ee && (oi >= oe || e.ts[ei] <= o.ts[oi]);
      int64_t ts = take_edge ? e.ts[ei] : o.ts[oi];
      if (ts < bucket_begin || ts >= bucket_end) {  // events come in time order: rarely a new bucket
        int32_t b = frame_.bucket(ts);
        bucket_begin = frame_.bucket_start(b);
        bucket_end = frame_.bucket_start(b + 1);
        if (b != cur_bucket_) {
          flush();
          cur_bucket_ = b;
        }
      }
      if (take_edge) {
        on_edge(e.parent[ei], e.child[ei]);
        ++ei;
      } else {
        auto [pb, pe] = o.path(oi);
        on_order(pb, pe, o.amount[oi]);
        path_updates += uint64_t(pe - pb);
        ++oi;
      }
    }
    flush();
    // CSR by local id; sc_.out is in bucket order, so a stable counting sort keeps buckets sorted.
    const size_t n = t.promoters.size();
    t.cell_offset.assign(n + 1, 0);
    for (const auto& [local, cell] : sc_.out) ++t.cell_offset[local + 1];
    for (size_t i = 1; i <= n; ++i) t.cell_offset[i] += t.cell_offset[i - 1];
    t.cells.resize(sc_.out.size());
    std::vector<uint64_t> pos(t.cell_offset.begin(), t.cell_offset.end() - 1);
    for (const auto& [local, cell] : sc_.out) t.cells[pos[local]++] = cell;
    // Reset the global -> local scratch for the next item.
    for (uint32_t g : t.promoters) sc_.local_of[g] = kNoId;
    return t;
  }

 private:
  uint32_t local(uint32_t global) {
    uint32_t& l = sc_.local_of[global];
    if (l == kNoId) {
      l = static_cast<uint32_t>(table_->promoters.size());
      table_->promoters.push_back(global);
      table_->join_bucket.push_back(cur_bucket_);
      if (sc_.acc.size() <= l) {
        size_t cap = std::max<size_t>(64, 2 * (l + 1));
        sc_.acc.resize(cap);
        sc_.memo.resize(cap, 0);
        sc_.cur_parent.resize(cap, kNoId);
      }
      sc_.memo[l] = 0;
      sc_.cur_parent[l] = kNoId;
      desc_of_.emplace_back();
      cum_desc_.push_back(0);
    }
    return l;
  }

  void touch(uint32_t l) {
    if (!sc_.acc[l].touched) {
      sc_.acc[l].touched = 1;
      sc_.touched.push_back(l);
    }
  }

  void link(uint32_t parent, uint32_t child) {
    bool inserted = false;
    links_.emplace(pair_key(parent, child), 1, inserted);
    if (inserted) {
      table_->links.push_back(Link{parent, child, cur_bucket_});
      ++sc_.acc[parent].children;
      touch(parent);
    }
  }

  // Registers "d is a descendant of a"; counts it when new.
  void add_pair(uint32_t a, uint32_t d) {
    bool inserted = false;
    pairs_.emplace(pair_key(a, d), 1, inserted);
    if (inserted) {
      ++sc_.acc[a].desc;
      touch(a);
      desc_of_[a].push_back(d);
    }
  }

  static uint64_t step_hash(uint64_t h, uint32_t id) {
    return FlatMap64::mix(h ^ (uint64_t(id) * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL));
  }

  // Registers every (ancestor, descendant) pair of a root-first path of local ids. A node's memo holds
  // the hash of the last path prefix ending at it whose pairs are all registered, so a path already
  // seen costs O(length) and a new leaf under a known chain costs O(depth).
  void register_path(const std::vector<uint32_t>& p) {
    const size_t k = p.size();
    auto& h = sc_.prefix_hash;
    h.resize(k);
    uint64_t acc = 0x51ED27A1F3C2B9D7ULL;
    for (size_t j = 0; j < k; ++j) h[j] = acc = step_hash(acc, p[j]);
    size_t start = k;  // first prefix end that needs registering
    while (start > 0 && sc_.memo[p[start - 1]] != h[start - 1]) --start;
    for (size_t j = start; j < k; ++j) {
      for (size_t i = 0; i < j; ++i) add_pair(p[i], p[j]);
      sc_.memo[p[j]] = h[j];
    }
  }

  void on_edge(uint32_t parent, uint32_t child) {
    uint32_t c = local(child);
    auto& p = sc_.locals;
    p.clear();
    if (parent != kNoId) {
      uint32_t pl = local(parent);
      sc_.cur_parent[c] = pl;
      link(pl, c);
      // Chain of the child as of now: follow parents from edge events seen so far.
      for (uint32_t x = pl; x != kNoId; x = sc_.cur_parent[x]) {
        p.push_back(x);
        if (p.size() > table_->promoters.size()) break;  // defensive; edges are acyclic
      }
      std::reverse(p.begin(), p.end());
    }
    p.push_back(c);
    if (tree_mode_) {
      // c and its existing subtree are new below every ancestor (c was a root until now).
      const uint32_t gained = 1 + cum_desc_[c];
      for (size_t i = 0; i + 1 < p.size(); ++i) {
        sc_.acc[p[i]].desc += gained;
        cum_desc_[p[i]] += gained;
        touch(p[i]);
      }
      return;
    }
    register_path(p);
    // A child that already has descendants (its own edges came first) brings them along: they are
    // new descendants of every ancestor on the chain.
    if (!desc_of_[c].empty() && p.size() > 1) {
      const std::vector<uint32_t> below = desc_of_[c];
      for (size_t i = 0; i + 1 < p.size(); ++i)
        for (uint32_t d : below) add_pair(p[i], d);
    }
  }

  void on_order(const uint32_t* pb, const uint32_t* pe, double amount) {
    auto& p = sc_.locals;
    p.clear();
    for (const uint32_t* it = pb; it != pe; ++it) p.push_back(local(*it));
    // A link parent -> child whose child currently hangs under that parent by an edge event was
    // registered with the event (on_edge), so only other links need the set.
    for (size_t j = 1; j < p.size(); ++j)
      if (sc_.cur_parent[p[j]] != p[j - 1]) link(p[j - 1], p[j]);
    if (!tree_mode_) register_path(p);
    for (uint32_t l : p) {
      sc_.acc[l].y += amount;
      ++sc_.acc[l].orders;
      touch(l);
    }
    sc_.acc[p.back()].s += amount;
  }

  // Emits the bucket's cells in touch order: the CSR by local id built from sc_.out keeps each local's
  // cells in bucket order whatever the order within a bucket.
  void flush() {
    if (sc_.touched.empty()) return;
    for (uint32_t l : sc_.touched) {
      Cell c;
      c.bucket = cur_bucket_;
      Scratch::Acc& a = sc_.acc[l];
      c.orders = a.orders;
      c.self_sales = a.s;
      c.scale = a.y;
      c.children_joined = a.children;
      c.new_descendants = a.desc;
      sc_.out.emplace_back(l, c);
      a = Scratch::Acc();
    }
    sc_.touched.clear();
  }

  const data::Dataset& ds_;
  const Frame& frame_;
  Scratch& sc_;
  ItemTable* table_ = nullptr;
  FlatMap64 links_, pairs_;
  std::vector<std::vector<uint32_t>> desc_of_;  // per local: registered descendants (DAG mode)
  std::vector<uint32_t> cum_desc_;              // per local: descendants so far (tree mode)
  bool tree_mode_ = true;
  int32_t cur_bucket_ = 0;
};

// Contiguous ranges [cut[k], cut[k + 1]) of 0..n-1 with about equal total weight.
std::vector<size_t> balanced_cuts(size_t n, int parts, const std::function<uint64_t(size_t)>& weight) {
  uint64_t total = 0;
  for (size_t i = 0; i < n; ++i) total += weight(i);
  std::vector<size_t> cut(size_t(parts) + 1, n);
  cut[0] = 0;
  uint64_t acc = 0;
  int k = 1;
  for (size_t i = 0; i < n && k < parts; ++i) {
    acc += weight(i);
    while (k < parts && acc * uint64_t(parts) >= total * uint64_t(k)) cut[size_t(k++)] = i + 1;
  }
  return cut;
}

void run_threads(int n, const std::function<void(int)>& fn) {
  std::vector<std::thread> pool;
  for (int k = 1; k < n; ++k) pool.emplace_back(fn, k);
  fn(0);
  for (auto& th : pool) th.join();
}

// Per-promoter totals across items: cells with orders, scattered per promoter in item order, sorted
// by bucket (std::sort, as ever, so equal buckets are summed in the same order), equal buckets
// merged. Items and then promoters are split over `threads`.
void build_totals(const data::Dataset& ds, PropagationTable& t, int threads) {
  const size_t np = ds.promoters.size(), n_items = t.items.size();
  const int parts = std::max(1, threads);
  const std::vector<size_t> item_cut =
      balanced_cuts(n_items, parts, [&](size_t i) { return uint64_t(t.items[i].cells.size()) + 1; });
  // Cells per (part, promoter), then each part's write position per promoter.
  std::vector<std::vector<uint64_t>> pos(size_t(parts), std::vector<uint64_t>(np, 0));
  auto for_cells = [&](int k, auto&& fn) {
    for (size_t i = item_cut[size_t(k)]; i < item_cut[size_t(k) + 1]; ++i) {
      const ItemTable& it = t.items[i];
      for (uint32_t l = 0; l < it.promoters.size(); ++l) {
        for (const Cell* c = it.cells_begin(l); c != it.cells_end(l); ++c)
          if (c->orders > 0) fn(it.promoters[l], *c);
      }
    }
  };
  run_threads(parts, [&](int k) { for_cells(k, [&](uint32_t p, const Cell&) { ++pos[size_t(k)][p]; }); });
  std::vector<uint64_t> count(np + 1, 0);
  for (size_t p = 0; p < np; ++p) {
    uint64_t at = count[p];
    for (int k = 0; k < parts; ++k) {
      const uint64_t n = pos[size_t(k)][p];
      pos[size_t(k)][p] = at;
      at += n;
    }
    count[p + 1] = at;
  }
  std::vector<TotalCell> raw(count[np]);
  run_threads(parts, [&](int k) {
    for_cells(k, [&](uint32_t p, const Cell& c) {
      raw[pos[size_t(k)][p]++] = TotalCell{c.bucket, 1, c.self_sales, c.scale};
    });
  });
  pos.clear();
  // Per promoter: sort by bucket, merge equal buckets in place; merged[p] = cells kept.
  std::vector<uint64_t> merged(np + 1, 0);
  const std::vector<size_t> prom_cut =
      balanced_cuts(np, parts, [&](size_t p) { return count[p + 1] - count[p] + 1; });
  run_threads(parts, [&](int k) {
    for (size_t p = prom_cut[size_t(k)]; p < prom_cut[size_t(k) + 1]; ++p) {
      auto b = raw.begin() + int64_t(count[p]), e = raw.begin() + int64_t(count[p + 1]);
      std::sort(b, e, [](const TotalCell& x, const TotalCell& y) { return x.bucket < y.bucket; });
      auto out = b;
      for (auto it = b; it != e; ++it) {
        if (out != b && (out - 1)->bucket == it->bucket) {
          TotalCell& m = *(out - 1);
          m.items += it->items;
          m.self_sales += it->self_sales;
          m.scale += it->scale;
        } else {
          *out++ = *it;
        }
      }
      merged[p + 1] = uint64_t(out - b);
    }
  });
  t.total_offset.assign(np + 1, 0);
  for (size_t p = 0; p < np; ++p) t.total_offset[p + 1] = t.total_offset[p] + merged[p + 1];
  t.totals.resize(t.total_offset[np]);
  run_threads(parts, [&](int k) {
    for (size_t p = prom_cut[size_t(k)]; p < prom_cut[size_t(k) + 1]; ++p) {
      std::copy_n(raw.begin() + int64_t(count[p]), merged[p + 1], t.totals.begin() + int64_t(t.total_offset[p]));
    }
  });
}

}  // namespace

PropagationTable build_propagation(const data::Dataset& ds, const data::TimeAxis& axis, int threads) {
  PropagationTable t;
  t.frame = Frame::of(ds, axis);
  const uint32_t n_items = ds.items.size();
  t.items.resize(n_items);
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = std::max(1, std::min<int>(threads, static_cast<int>(n_items)));
  // Largest items first for load balance.
  std::vector<uint32_t> order(n_items);
  for (uint32_t i = 0; i < n_items; ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    uint64_t na = ds.item_order_offset[a + 1] - ds.item_order_offset[a];
    uint64_t nb = ds.item_order_offset[b + 1] - ds.item_order_offset[b];
    return na != nb ? na > nb : a < b;
  });
  std::atomic<uint32_t> next{0};
  std::atomic<uint64_t> updates{0};
  Progress progress("propagation scale", n_items, "items");
  auto worker = [&]() {
    Scratch sc;
    uint64_t local_updates = 0;
    for (uint32_t k = next++; k < n_items; k = next++) {
      ItemBuilder b(ds, t.frame, sc);
      t.items[order[k]] = b.build(order[k], local_updates);
      progress.add(1);
    }
    updates += local_updates;
  };
  if (threads == 1) {
    worker();
  } else {
    std::vector<std::thread> pool;
    for (int i = 0; i < threads; ++i) pool.emplace_back(worker);
    for (auto& th : pool) th.join();
  }
  progress.finish();
  t.path_node_updates = updates;
  build_totals(ds, t, threads);
  return t;
}

}  // namespace dnts::tree
