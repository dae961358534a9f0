// Ingestion: CSV rows -> validated, interned, path-resolved Dataset (DATA.md contract).
#include "dnts/data/ingest.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <numeric>

#include "data/flat_map_impl.h"
#include "dnts/data/csv.h"
#include "dnts/error.h"
#include "dnts/progress.h"

namespace dnts::data {
namespace fs = std::filesystem;

int64_t Dataset::min_ts() const {
  int64_t m = INT64_MAX;
  for (int64_t t : orders.ts) m = std::min(m, t);
  for (int64_t t : edges.ts) m = std::min(m, t);
  return m;
}

int64_t Dataset::max_ts() const {
  int64_t m = INT64_MIN;
  for (int64_t t : orders.ts) m = std::max(m, t);
  for (int64_t t : edges.ts) m = std::max(m, t);
  return m;
}

void Dataset::index_items() {
  auto build = [&](const std::vector<uint32_t>& item, std::vector<uint64_t>& offset) {
    offset.assign(items.size() + 1, 0);
    for (uint32_t i : item) ++offset[i + 1];
    for (size_t i = 1; i < offset.size(); ++i) offset[i] += offset[i - 1];
  };
  build(orders.item, item_order_offset);
  build(edges.item, item_edge_offset);
}

namespace {

std::string shorten(std::string_view v) {
  if (v.size() <= 80) return std::string(v);
  return std::string(v.substr(0, 77)) + "...";
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

struct RawEdge {
  uint32_t item, parent, child;
  int64_t ts;
  int64_t line;
};

class Ingestor {
 public:
  explicit Ingestor(const IngestOptions& opts) : opts_(opts) {}

  Dataset run(const std::string& orders_path, const std::string& edges_path) {
    ds_.tz = opts_.tz;
    read_orders(orders_path);
    if (!edges_path.empty()) read_edges(edges_path);
    resolve_edges(edges_path);
    resolve_orders();
    ds_.index_items();
    return std::move(ds_);
  }

 private:
  // A rejected row: strict mode throws, lenient mode counts it under `reason`.
  void reject(const std::string& reason, std::string message) {
    if (opts_.mode == ErrorMode::kStrict) throw InputError(message);
    ++ds_.report.skipped[reason];
    if (ds_.report.examples.size() < 20) ds_.report.examples.push_back(std::move(message));
  }

  struct Header {
    std::vector<int> index;  // per wanted column: field index or -1
    size_t num_fields = 0;
  };

  Header read_header(CsvReader& r, const std::string& file, const std::vector<std::string>& wanted,
                     const std::vector<bool>& required) {
    if (!r.next()) throw InputError(fmt::format("{}: empty file (expected a header row: {})", file, join(wanted)));
    if (!r.malformed().empty()) throw InputError(r.malformed());
    Header h;
    h.num_fields = r.num_fields();
    h.index.assign(wanted.size(), -1);
    std::vector<std::string> extra;
    for (size_t f = 0; f < r.num_fields(); ++f) {
      std::string name = trim(r.field(f));
      auto it = std::find(wanted.begin(), wanted.end(), name);
      if (it == wanted.end()) {
        extra.push_back(name);
        continue;
      }
      size_t w = static_cast<size_t>(it - wanted.begin());
      if (h.index[w] >= 0) {
        throw InputError(fmt::format("{}:{}: column '{}' appears twice in the header", file, r.line(), name));
      }
      h.index[w] = static_cast<int>(f);
    }
    std::vector<std::string> missing;
    for (size_t w = 0; w < wanted.size(); ++w)
      if (required[w] && h.index[w] < 0) missing.push_back(wanted[w]);
    if (!missing.empty()) {
      std::vector<std::string> seen;
      for (size_t f = 0; f < r.num_fields(); ++f) seen.emplace_back(r.field(f));
      std::string hint;
      if (seen.size() == 1 && seen[0].find_first_of(";\t|") != std::string::npos) {
        hint = "; the header looks separated by ';', tab or '|': dnts reads comma-separated files";
      } else {
        for (const auto& name : seen) {
          std::string lower = name;
          for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
          if (std::find(missing.begin(), missing.end(), trim(lower)) != missing.end()) {
            hint = fmt::format("; column names are case-sensitive: rename '{}' to '{}'", name, trim(lower));
            break;
          }
        }
      }
      throw InputError(fmt::format("{}:{}: missing required column{} '{}' (header has: {}){}", file, r.line(),
                                   missing.size() > 1 ? "s" : "", join(missing), join(seen), hint));
    }
    if (!extra.empty()) {
      ds_.report.warnings.push_back(fmt::format("{}: ignoring extra column(s): {}", file, join(extra)));
    }
    return h;
  }

  static std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) {
      if (!out.empty()) out += ",";
      out += s;
    }
    return out;
  }

  // Parses the timestamp field or rejects the row.
  bool parse_ts(std::string_view v, const std::string& file, int64_t line, int64_t& out) {
    auto t = parse_timestamp(v, opts_.tz);
    if (!t) {
      reject("unparseable timestamp",
             fmt::format("{}:{}: column 'ts': cannot parse '{}' as a timestamp (expected YYYY-MM-DD, "
                         "YYYY-MM-DD HH:MM:SS, ISO 8601 with T and Z or an offset, or Unix seconds)",
                         file, line, shorten(v)));
      return false;
    }
    out = *t;
    return true;
  }

  bool check_fields(CsvReader& r, const Header& h, const std::string& file) {
    if (!r.malformed().empty()) {
      reject("malformed CSV", r.malformed());
      return false;
    }
    if (r.num_fields() == h.num_fields) return true;
    reject("wrong number of fields", fmt::format("{}:{}: expected {} fields (as in the header), found {}", file,
                                                 r.line(), h.num_fields, r.num_fields()));
    return false;
  }

  void read_orders(const std::string& path) {
    const std::string file = path;
    CsvReader r(path);
    Header h = read_header(r, file, {"item", "promoter", "ts", "amount", "path"}, {true, true, true, false, false});
    const int c_item = h.index[0], c_prom = h.index[1], c_ts = h.index[2], c_amount = h.index[3],
              c_path = h.index[4];
    std::error_code ec;
    auto size = fs::file_size(path, ec);
    bool gz = path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
    Progress progress("ingest " + fs::path(path).filename().string(), gz || ec ? 0 : int64_t(size / 1024), "KiB");
    uint64_t last_bytes = 0;
    std::vector<uint32_t> segs;
    while (r.next()) {
      ++ds_.report.order_rows;
      if ((ds_.report.order_rows & 0xFFFF) == 0) {
        progress.add(int64_t((r.bytes_read() - last_bytes) / 1024));
        last_bytes = r.bytes_read() / 1024 * 1024;
      }
      if (!check_fields(r, h, file)) continue;
      const int64_t line = r.line();
      std::string_view item = r.field(size_t(c_item)), prom = r.field(size_t(c_prom));
      if (item.empty()) {
        reject("empty id", fmt::format("{}:{}: column 'item': empty item id", file, line));
        continue;
      }
      if (prom.empty()) {
        reject("empty id", fmt::format("{}:{}: column 'promoter': empty promoter id", file, line));
        continue;
      }
      if (item == "*") {
        reject("reserved id", fmt::format("{}:{}: column 'item': '*' is reserved (it marks the cross-item totals "
                                          "of `dnts scale`)", file, line));
        continue;
      }
      int64_t ts = 0;
      if (!parse_ts(r.field(size_t(c_ts)), file, line, ts)) continue;
      double amount = 1.0;
      if (c_amount >= 0) {
        std::string_view v = r.field(size_t(c_amount));
        double a = 0;
        auto [p, e] = std::from_chars(v.data(), v.data() + v.size(), a);
        if (v.empty() || e != std::errc() || p != v.data() + v.size() || !std::isfinite(a)) {
          reject("non-numeric amount", fmt::format("{}:{}: column 'amount': '{}' is not a finite number", file,
                                                   line, shorten(v)));
          continue;
        }
        if (a < 0) {
          reject("negative amount",
                 fmt::format("{}:{}: column 'amount': {} is negative (amounts must be >= 0)", file, line, shorten(v)));
          continue;
        }
        amount = a + 0.0;  // folds -0 into +0
      }
      if (c_path >= 0 && !r.field(size_t(c_path)).empty()) {
        if (!parse_path(r.field(size_t(c_path)), prom, file, line, segs)) continue;
        raw_paths_.insert(raw_paths_.end(), segs.begin(), segs.end());
      }
      // Accepted: straight into the structure-of-arrays (input order; sorted later only if needed).
      Orders& o = ds_.orders;
      if (o.item.size() == 4096 && !ec && !gz && r.bytes_read() > 0) {
        // Reserve from the bytes per row seen so far: no repeated regrowth of large arrays.
        size_t expect = size_t(double(size) / double(r.bytes_read()) * 4096 * 1.05);
        o.item.reserve(expect);
        o.promoter.reserve(expect);
        o.ts.reserve(expect);
        o.amount.reserve(expect);
        raw_path_end_.reserve(expect);
      }
      o.item.push_back(ds_.items.intern(item));
      o.promoter.push_back(ds_.promoters.intern(prom));
      o.ts.push_back(ts);
      o.amount.push_back(amount);
      raw_path_end_.push_back(raw_paths_.size());
    }
    progress.finish();
    if (ds_.report.order_rows == 0) {
      throw InputError(fmt::format("{}: no data rows after the header (an orders file must hold at least one order)", file));
    }
  }

  // Splits "a/b/c", checks it ends with `promoter` and never repeats an id, then interns the ids (a
  // rejected path leaves no id behind).
  bool parse_path(std::string_view pv, std::string_view promoter, const std::string& file, int64_t line,
                  std::vector<uint32_t>& out) {
    out.clear();
    auto& segs = path_segments_;
    segs.clear();
    size_t start = 0;
    for (;;) {
      size_t slash = pv.find('/', start);
      std::string_view seg = pv.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
      if (seg.empty()) {
        reject("empty id in path", fmt::format("{}:{}: column 'path': '{}' has an empty id (ids are separated by a "
                                               "single '/')", file, line, shorten(pv)));
        return false;
      }
      segs.push_back(seg);
      if (slash == std::string_view::npos) break;
      start = slash + 1;
    }
    if (segs.back() != promoter) {
      reject("path does not end with promoter",
             fmt::format("{}:{}: column 'path': '{}' does not end with the order's promoter '{}'", file, line,
                         shorten(pv), shorten(promoter)));
      return false;
    }
    // Repeated ids: quadratic check for short paths, sorting for long ones.
    std::string_view rep;
    if (segs.size() <= 64) {
      for (size_t i = 0; i < segs.size() && rep.empty(); ++i)
        for (size_t j = i + 1; j < segs.size(); ++j)
          if (segs[i] == segs[j]) {
            rep = segs[i];
            break;
          }
    } else {
      std::vector<std::string_view> sorted = segs;
      std::sort(sorted.begin(), sorted.end());
      auto it = std::adjacent_find(sorted.begin(), sorted.end());
      if (it != sorted.end()) rep = *it;
    }
    if (!rep.empty()) {
      reject("path repeats a promoter",
             fmt::format("{}:{}: column 'path': '{}' passes through promoter '{}' more than once", file, line,
                         shorten(pv), shorten(rep)));
      return false;
    }
    for (std::string_view seg : segs) out.push_back(ds_.promoters.intern(seg));
    return true;
  }

  void read_edges(const std::string& path) {
    const std::string file = path;
    CsvReader r(path);
    Header h = read_header(r, file, {"item", "parent", "child", "ts"}, {true, true, true, true});
    const int c_item = h.index[0], c_parent = h.index[1], c_child = h.index[2], c_ts = h.index[3];
    while (r.next()) {
      ++ds_.report.edge_rows;
      if (!check_fields(r, h, file)) continue;
      const int64_t line = r.line();
      std::string_view item = r.field(size_t(c_item)), parent = r.field(size_t(c_parent)),
                       child = r.field(size_t(c_child));
      if (item.empty()) {
        reject("empty id", fmt::format("{}:{}: column 'item': empty item id", file, line));
        continue;
      }
      if (child.empty()) {
        reject("empty id", fmt::format("{}:{}: column 'child': empty child id", file, line));
        continue;
      }
      if (item == "*") {
        reject("reserved id", fmt::format("{}:{}: column 'item': '*' is reserved (it marks the cross-item totals "
                                          "of `dnts scale`)", file, line));
        continue;
      }
      if (parent == child) {
        reject("cycle in edges", fmt::format("{}:{}: column 'parent': edge '{}' -> '{}' is a self-loop (a cycle of "
                                             "length 1)", file, line, shorten(parent), shorten(child)));
        continue;
      }
      RawEdge e{};
      e.line = line;
      if (!parse_ts(r.field(size_t(c_ts)), file, line, e.ts)) continue;
      e.item = ds_.items.intern(item);
      e.parent = parent.empty() ? kNoId : ds_.promoters.intern(parent);
      e.child = ds_.promoters.intern(child);
      raw_edges_.push_back(e);
    }
    if (ds_.report.edge_rows == 0) {
      ds_.report.warnings.push_back(fmt::format("{}: header only, no edges", file));
    }
  }

  std::string pname(uint32_t id) const { return id == kNoId ? std::string("(root)") : shorten(ds_.promoters.name(id)); }

  // Duplicate / conflicting parents, then cycles; builds ds_.edges and the parent lookup.
  void resolve_edges(const std::string& file) {
    std::vector<RawEdge>& e = raw_edges_;
    // Group by (item, child) in file order.
    std::sort(e.begin(), e.end(), [](const RawEdge& a, const RawEdge& b) {
      return std::tie(a.item, a.child, a.line) < std::tie(b.item, b.child, b.line);
    });
    std::vector<RawEdge> kept;
    kept.reserve(e.size());
    for (size_t i = 0; i < e.size();) {
      size_t j = i;
      RawEdge first = e[i];
      for (; j < e.size() && e[j].item == e[i].item && e[j].child == e[i].child; ++j) {
        if (j == i) continue;
        if (e[j].parent == first.parent) {
          ++ds_.report.merged["duplicate edge rows (same item, parent and child; earliest time kept)"];
          first.ts = std::min(first.ts, e[j].ts);
          continue;
        }
        reject("conflicting parent",
               fmt::format("{}:{}: column 'parent': child '{}' of item '{}' already has parent '{}' (line {}); "
                           "conflicting parent '{}'", file, e[j].line, pname(e[j].child),
                           shorten(ds_.items.name(e[j].item)), pname(first.parent), first.line, pname(e[j].parent)));
      }
      kept.push_back(first);
      i = j;
    }
    // Cycles: the parent relation per item is a functional graph, so a component holds at most one
    // cycle; one colouring pass finds them all. Each cycle loses its latest-line edge.
    {
      FlatMap64 parent_of(kept.size() + 1);
      for (uint32_t k = 0; k < kept.size(); ++k) parent_of.set(pair_key(kept[k].item, kept[k].child), k);
      std::vector<uint8_t> state(kept.size(), 0);  // 0 new, 1 on current walk, 2 done
      std::vector<uint8_t> removed(kept.size(), 0);
      std::vector<uint32_t> walk;
      for (uint32_t k0 = 0; k0 < kept.size(); ++k0) {
        if (state[k0] != 0) continue;
        walk.clear();
        uint32_t k = k0;
        while (state[k] != 2) {
          if (state[k] == 1) {
            // Cycle: the edges on `walk` from k onward.
            auto it = std::find(walk.begin(), walk.end(), k);
            std::vector<uint32_t> cyc(it, walk.end());
            uint32_t worst = *std::max_element(cyc.begin(), cyc.end(), [&](uint32_t a, uint32_t b) {
              return kept[a].line < kept[b].line;
            });
            // The loop in parent -> child order, starting with the edge that closes it.
            std::vector<uint32_t> loop(cyc.rbegin(), cyc.rend());
            std::rotate(loop.begin(), std::find(loop.begin(), loop.end(), worst), loop.end());
            std::string chain;
            for (uint32_t c : loop) chain += pname(kept[c].parent) + " -> ";
            chain += pname(kept[worst].parent);
            const RawEdge& w = kept[worst];
            reject("cycle in edges", fmt::format("{}:{}: column 'child': edge '{}' -> '{}' closes a cycle in item "
                                                 "'{}': {}", file, w.line, pname(w.parent), pname(w.child),
                                                 shorten(ds_.items.name(w.item)), chain));
            removed[worst] = 1;
            break;
          }
          state[k] = 1;
          walk.push_back(k);
          if (kept[k].parent == kNoId) break;
          uint32_t up = parent_of.get(pair_key(kept[k].item, kept[k].parent));
          if (up == FlatMap64::kMissing) break;
          k = up;
        }
        for (uint32_t w : walk) state[w] = 2;
      }
      size_t out_n = 0;
      for (size_t k = 0; k < kept.size(); ++k)
        if (!removed[k]) kept[out_n++] = kept[k];
      kept.resize(out_n);
    }
    // Final edge order: (item, ts, line).
    std::sort(kept.begin(), kept.end(), [](const RawEdge& a, const RawEdge& b) {
      return std::tie(a.item, a.ts, a.line) < std::tie(b.item, b.ts, b.line);
    });
    Edges& out = ds_.edges;
    out.item.resize(kept.size());
    out.parent.resize(kept.size());
    out.child.resize(kept.size());
    out.ts.resize(kept.size());
    parent_edge_ = FlatMap64(kept.size() + 1);
    for (uint32_t k = 0; k < kept.size(); ++k) {
      out.item[k] = kept[k].item;
      out.parent[k] = kept[k].parent;
      out.child[k] = kept[k].child;
      out.ts[k] = kept[k].ts;
      parent_edge_.set(pair_key(kept[k].item, kept[k].child), k);
    }
    raw_edges_.clear();
    raw_edges_.shrink_to_fit();
  }

  void resolve_orders() {
    Orders& o = ds_.orders;
    const size_t n = o.item.size();
    // Order by (item, ts), ties in input order. Logs usually come sorted: then nothing moves.
    bool sorted = true;
    for (size_t i = 1; i < n && sorted; ++i) {
      sorted = o.item[i - 1] < o.item[i] || (o.item[i - 1] == o.item[i] && o.ts[i - 1] <= o.ts[i]);
    }
    std::vector<uint32_t> perm;
    if (!sorted) {
      perm.resize(n);
      std::iota(perm.begin(), perm.end(), 0u);
      std::stable_sort(perm.begin(), perm.end(), [&](uint32_t a, uint32_t b) {
        return o.item[a] != o.item[b] ? o.item[a] < o.item[b] : o.ts[a] < o.ts[b];
      });
      auto apply = [&](auto& v) {
        std::remove_reference_t<decltype(v)> out(n);
        for (size_t i = 0; i < n; ++i) out[i] = v[perm[i]];
        v.swap(out);
      };
      apply(o.item);
      apply(o.promoter);
      apply(o.ts);
      apply(o.amount);
    }
    o.path_explicit.assign(n, 0);
    o.path_offset.assign(n + 1, 0);
    o.path_node.reserve(raw_paths_.size() + n * 3);
    const Edges& ed = ds_.edges;
    std::vector<uint32_t> chain;
    for (size_t i = 0; i < n; ++i) {
      const size_t src = sorted ? i : perm[i];
      const uint64_t pb = src == 0 ? 0 : raw_path_end_[src - 1], pe = raw_path_end_[src];
      if (pe > pb) {
        o.path_explicit[i] = 1;
        o.path_node.insert(o.path_node.end(), raw_paths_.begin() + int64_t(pb), raw_paths_.begin() + int64_t(pe));
      } else {
        // Ancestor chain as of the order's time: follow parent edges that exist by then.
        chain.clear();
        uint32_t cur = o.promoter[i];
        chain.push_back(cur);
        for (;;) {
          uint32_t e = parent_edge_.get(pair_key(o.item[i], cur));
          if (e == FlatMap64::kMissing || ed.ts[e] > o.ts[i] || ed.parent[e] == kNoId) break;
          cur = ed.parent[e];
          chain.push_back(cur);
        }
        o.path_node.insert(o.path_node.end(), chain.rbegin(), chain.rend());
      }
      o.path_offset[i + 1] = o.path_node.size();
    }
    o.path_node.shrink_to_fit();
    raw_path_end_ = std::vector<uint64_t>();
    raw_paths_ = std::vector<uint32_t>();
  }

  const IngestOptions& opts_;
  Dataset ds_;
  std::vector<uint64_t> raw_path_end_;  // per parsed order: end of its explicit path in raw_paths_
  std::vector<uint32_t> raw_paths_;
  std::vector<std::string_view> path_segments_;
  std::vector<RawEdge> raw_edges_;
  FlatMap64 parent_edge_;
};

// Locates <dir>/<stem>.csv or <stem>.csv.gz; both present is an error.
std::string locate(const std::string& dir, const std::string& stem, bool required) {
  fs::path plain = fs::path(dir) / (stem + ".csv"), gz = fs::path(dir) / (stem + ".csv.gz");
  bool has_plain = fs::exists(plain), has_gz = fs::exists(gz);
  if (has_plain && has_gz) {
    throw InputError(fmt::format("{}: both {}.csv and {}.csv.gz exist; keep one", dir, stem, stem));
  }
  if (has_plain) return plain.string();
  if (has_gz) return gz.string();
  if (required) {
    if (!fs::is_directory(dir)) throw InputError(fmt::format("{}: not a dataset folder (no such directory)", dir));
    throw InputError(fmt::format("{}: no {}.csv or {}.csv.gz in the dataset folder", dir, stem, stem));
  }
  return {};
}

std::string fingerprint(const std::string& path) {
  if (path.empty()) return "-";
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return "?";
  // ctime and the inode change whenever the content is rewritten, even when mtime is restored.
  return fmt::format("{}:{}:{}.{}:{}.{}:{}:{}", fs::absolute(path).string(), st.st_size, st.st_mtim.tv_sec,
                     st.st_mtim.tv_nsec, st.st_ctim.tv_sec, st.st_ctim.tv_nsec, st.st_dev, st.st_ino);
}

std::string default_cache_dir(const std::string& data_dir) {
  fs::path local = fs::path(data_dir) / ".dnts-cache";
  std::error_code ec;
  if (fs::is_directory(local) && access(local.c_str(), W_OK) == 0) return local.string();
  if (access(data_dir.c_str(), W_OK) == 0) return local.string();
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  const char* home = std::getenv("HOME");
  fs::path base = xdg != nullptr ? fs::path(xdg) : fs::path(home != nullptr ? home : "/tmp") / ".cache";
  std::string abs = fs::absolute(data_dir, ec).string();
  return (base / "dnts" / fmt::format("{:016x}", std::hash<std::string>{}(abs))).string();
}

}  // namespace

Dataset ingest_files(const std::string& orders_path, const std::string& edges_path, const IngestOptions& options) {
  auto t0 = std::chrono::steady_clock::now();
  Ingestor ing(options);
  Dataset ds = ing.run(orders_path, edges_path);
  if (ds.orders.size() == 0) {
    throw InputError(fmt::format("{}: no valid orders: all {} rows were skipped ({})", orders_path,
                                 ds.report.order_rows, describe(ds.report)));
  }
  ds.report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return ds;
}

Dataset ingest(const IngestOptions& options) {
  std::string orders = locate(options.data_dir, "orders", true);
  std::string edges = locate(options.data_dir, "edges", false);
  if (!options.use_cache) return ingest_files(orders, edges, options);
  auto t0 = std::chrono::steady_clock::now();
  std::string cache_dir = options.cache_dir.empty() ? default_cache_dir(options.data_dir) : options.cache_dir;
  // One cache file per parse variant (zone, mode), so switching --tz back and forth reuses both.
  std::string variant = options.tz.to_string();
  variant.erase(std::remove(variant.begin(), variant.end(), ':'), variant.end());
  std::string cache_path = (fs::path(cache_dir) / fmt::format("dataset-{}-{}.bin",
                                                               options.mode == ErrorMode::kStrict ? "strict" : "lenient",
                                                               variant)).string();
  // kParserVersion: bump whenever parsing or validation semantics change, so old caches are rebuilt.
  constexpr int kParserVersion = 2;
  std::string key = fmt::format("parser={}|tz={}|mode={}|orders={}|edges={}", kParserVersion, options.tz.to_string(),
                                options.mode == ErrorMode::kStrict ? "strict" : "lenient", fingerprint(orders),
                                fingerprint(edges));
  Dataset ds;
  if (load_cache(cache_path, key, ds)) {
    ds.report.from_cache = true;
    ds.report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return ds;
  }
  ds = ingest_files(orders, edges, options);
  std::error_code ec;
  fs::create_directories(cache_dir, ec);
  try {
    save_cache(ds, cache_path, key);
  } catch (const IoError& e) {
    ds.report.warnings.push_back(fmt::format("binary cache not written: {}", e.what()));
  }
  return ds;
}

std::string describe(const IngestReport& r) {
  std::string out = fmt::format("{} order rows, {} edge rows read{}", r.order_rows, r.edge_rows,
                                r.from_cache ? " (from the binary cache)" : "");
  for (const auto& [reason, n] : r.skipped) out += fmt::format("\n  skipped {:>9} rows: {}", n, reason);
  for (const auto& [reason, n] : r.merged) out += fmt::format("\n  merged  {:>9} rows: {}", n, reason);
  for (const auto& w : r.warnings) out += "\n  warning: " + w;
  for (const auto& e : r.examples) out += "\n  e.g. " + e;
  return out;
}

}  // namespace dnts::data
