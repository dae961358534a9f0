// Ingestion: CSV rows -> validated, interned, path-resolved Dataset (DATA.md contract).
#include "dnts/data/ingest.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <numeric>

#include "data/csv_scan_impl.h"
#include "data/ingest_rows_impl.h"
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

struct RawEdge {
  uint32_t item, parent, child;
  int64_t ts;
  int64_t line;
};

// One newline-aligned chunk of a quote-free file, parsed by one worker: ids interned locally (in
// order of first appearance within the chunk), rejected rows only marked (record start, line in
// the chunk) so the merge can report them in file order with their absolute line.
struct ChunkBase {
  const char* begin = nullptr;
  const char* end = nullptr;
  int64_t lines = 0;  // physical lines in the chunk
  int64_t rows = 0;   // records (non-blank lines)
  bool quote = false;
  Interner items, promoters;
  std::vector<std::pair<const char*, int64_t>> bad;
};

struct OrderChunk : ChunkBase {
  std::vector<uint32_t> item, promoter;
  std::vector<int64_t> ts;
  std::vector<double> amount;
  std::vector<uint64_t> path_end;  // with a path column: per accepted row, end of its path in `paths`
  std::vector<uint32_t> paths;
};

struct EdgeChunk : ChunkBase {
  std::vector<RawEdge> edges;  // line: within the chunk until the merge
};

// Records in a chunk, estimated from its first MiB (for reserve()).
size_t estimate_rows(const char* begin, const char* end) {
  const size_t sample = std::min<size_t>(size_t(end - begin), 1 << 20);
  if (sample == 0) return 0;
  size_t lines = size_t(std::count(begin, begin + sample, '\n')) + 1;
  return size_t(double(lines) * double(end - begin) / double(sample) * 1.02) + 16;
}

// Stable counting sort of `v` by key(x) in [0, num_keys).
template <typename Key>
void stable_sort_by(std::vector<RawEdge>& v, size_t num_keys, Key key) {
  std::vector<uint64_t> pos(num_keys + 1, 0);
  for (const RawEdge& x : v) ++pos[key(x) + 1];
  for (size_t k = 1; k <= num_keys; ++k) pos[k] += pos[k - 1];
  std::vector<RawEdge> out(v.size());
  for (const RawEdge& x : v) out[pos[key(x)]++] = x;
  v.swap(out);
}

// Appends `src` to `dst` and frees `src`.
template <typename T>
void append(std::vector<T>& dst, std::vector<T>& src) {
  dst.insert(dst.end(), src.begin(), src.end());
  src = std::vector<T>();
}

// Local -> global ids of a chunk's interner.
std::vector<uint32_t> merge_ids(const Interner& local, Interner& global) {
  std::vector<uint32_t> map(local.size());
  for (uint32_t id = 0; id < local.size(); ++id) map[id] = global.intern(local.name(id));
  return map;
}

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
  RowRejects rejects() { return RowRejects{opts_.mode, &ds_.report}; }
  // A rejected edge (edge resolution): strict mode throws, lenient mode counts it under `reason`.
  void reject(const char* reason, std::string message) {
    RowRejects rej = rejects();
    rej(reason, [&] { return std::move(message); });
  }

  static std::vector<std::string_view>& fields_of(const CsvReader& r, std::vector<std::string_view>& fields) {
    fields.clear();
    for (size_t f = 0; f < r.num_fields(); ++f) fields.push_back(r.field(f));
    return fields;
  }

  // ---- Streaming reader (quoted or gzip files; the reference path). ----

  Header streaming_header(CsvReader& r, const std::string& file, const std::vector<std::string>& wanted,
                          const std::vector<bool>& required) {
    if (!r.next()) throw InputError(fmt::format("{}: empty file (expected a header row: {})", file, join(wanted)));
    if (!r.malformed().empty()) throw InputError(r.malformed());
    return parse_header(fields_of(r, fields_), file, r.line(), wanted, required, ds_.report);
  }

  // A record CsvReader flagged as malformed, or one with the wrong field count: rejected.
  bool streaming_record_ok(const CsvReader& r, const Header& h, const std::string& file, RowRejects& rej) {
    if (!r.malformed().empty()) {
      rej("malformed CSV", [&] { return r.malformed(); });
      return false;
    }
    return check_field_count(r.num_fields(), h, file, r.line(), rej);
  }

  void read_orders_streaming(const std::string& file) {
    CsvReader r(file);
    Header h = streaming_header(r, file, order_columns(), {true, true, true, false, false});
    std::error_code ec;
    auto size = fs::file_size(file, ec);
    bool gz = file.size() > 3 && file.compare(file.size() - 3, 3, ".gz") == 0;
    Progress progress("ingest " + fs::path(file).filename().string(), gz || ec ? 0 : int64_t(size / 1024), "KiB");
    uint64_t last_bytes = 0;
    OrderRow row;
    Orders& o = ds_.orders;
    while (r.next()) {
      ++ds_.report.order_rows;
      if ((ds_.report.order_rows & 0xFFFF) == 0) {
        progress.add(int64_t((r.bytes_read() - last_bytes) / 1024));
        last_bytes = r.bytes_read() / 1024 * 1024;
      }
      RowRejects rej = rejects();
      if (!streaming_record_ok(r, h, file, rej) ||
          !parse_order_row(fields_of(r, fields_), h, opts_.tz, file, r.line(), rej, row, segs_)) {
        continue;
      }
      for (std::string_view seg : segs_) raw_paths_.push_back(ds_.promoters.intern(seg));
      o.item.push_back(ds_.items.intern(row.item));
      o.promoter.push_back(ds_.promoters.intern(row.promoter));
      o.ts.push_back(row.ts);
      o.amount.push_back(row.amount);
      if (h.index[4] >= 0) raw_path_end_.push_back(raw_paths_.size());
    }
    progress.finish();
  }

  void read_edges_streaming(const std::string& file) {
    CsvReader r(file);
    Header h = streaming_header(r, file, edge_columns(), {true, true, true, true});
    EdgeRow row;
    while (r.next()) {
      ++ds_.report.edge_rows;
      RowRejects rej = rejects();
      if (!streaming_record_ok(r, h, file, rej) ||
          !parse_edge_row(fields_of(r, fields_), h, opts_.tz, file, r.line(), rej, row)) {
        continue;
      }
      RawEdge e{};
      e.line = r.line();
      e.ts = row.ts;
      e.item = ds_.items.intern(row.item);
      e.parent = row.parent.empty() ? kNoId : ds_.promoters.intern(row.parent);
      e.child = ds_.promoters.intern(row.child);
      raw_edges_.push_back(e);
    }
  }

  // ---- In-memory parallel reader (plain files without quotes). ----

  // The header of a mapped file and where its data starts; false when the header line has a quote
  // (then CsvReader reads the file). Throws like the streaming reader for an empty file.
  bool memory_header(std::string_view bytes, const std::string& file, const std::vector<std::string>& wanted,
                     const std::vector<bool>& required, Header& h, LineCursor& data) {
    LineCursor cur{bytes.data(), bytes.data() + bytes.size()};
    if (bytes.size() >= 3 && std::memcmp(bytes.data(), "\xEF\xBB\xBF", 3) == 0) cur.pos += 3;
    if (!cur.next(fields_)) {
      if (cur.quote) return false;
      throw InputError(fmt::format("{}: empty file (expected a header row: {})", file, join(wanted)));
    }
    if (cur.quote) return false;
    h = parse_header(fields_, file, cur.line, wanted, required, ds_.report);
    data = cur;
    return true;
  }

  // Parses [chunk.begin, chunk.end) of a file; `row_fn(fields, line, rejects)` validates and stores
  // one record, returning false when it rejected it. Stops at the first quote character.
  template <typename RowFn>
  static void scan_chunk(ChunkBase& chunk, Progress& progress, RowFn&& row_fn) {
    LineCursor cur{chunk.begin, chunk.end};
    std::vector<std::string_view> fields;
    RowRejects deferred{ErrorMode::kStrict, nullptr};
    const char* reported = chunk.begin;
    while (cur.next(fields)) {
      if (cur.quote) {
        chunk.quote = true;
        break;
      }
      ++chunk.rows;
      if ((chunk.rows & 0xFFFF) == 0) {
        progress.add(int64_t(cur.pos - reported) / 1024);
        reported += (cur.pos - reported) / 1024 * 1024;
      }
      deferred.rejected = false;
      if (!row_fn(fields, cur.line, deferred)) chunk.bad.emplace_back(cur.record, cur.line);
    }
    chunk.lines = cur.next_line - 1;
  }

  // Reports a chunk's rejected rows in file order with absolute lines (`first_line`: the chunk's
  // first physical line). `row_fn` is the same check the worker ran, now with reporting rejects.
  template <typename RowFn>
  void report_bad_rows(const ChunkBase& chunk, int64_t first_line, RowFn&& row_fn) {
    for (auto [record, rel_line] : chunk.bad) {
      LineCursor cur{record, chunk.end};
      cur.next(fields_);
      RowRejects rej = rejects();
      if (row_fn(fields_, first_line + rel_line - 1, rej) || !rej.rejected) {
        throw InternalError(fmt::format("line {}: rejected by a parse worker but accepted on re-check",
                                        first_line + rel_line - 1));
      }
    }
  }

  bool read_orders_in_memory(const std::string& file, std::string_view bytes) {
    Header h;
    LineCursor head;
    const size_t warnings = ds_.report.warnings.size();
    if (!memory_header(bytes, file, order_columns(), {true, true, true, false, false}, h, head)) return false;
    const int workers = parse_workers(size_t(head.end - head.pos), opts_.threads);
    std::vector<const char*> cut = split_at_lines(head.pos, head.end, workers);
    std::vector<OrderChunk> chunks(static_cast<size_t>(workers));
    const TimeZone tz = opts_.tz;
    const bool with_paths = h.index[4] >= 0;  // else no order has an explicit path: no path_end array
    Progress progress("ingest " + fs::path(file).filename().string(), int64_t(bytes.size() / 1024), "KiB");
    auto check = [&](const std::vector<std::string_view>& fields, int64_t line, RowRejects& rej, OrderRow& row,
                     std::vector<std::string_view>& segs) {
      return check_field_count(fields.size(), h, file, line, rej) &&
             parse_order_row(fields, h, tz, file, line, rej, row, segs);
    };
    run_parallel(workers, [&](int k) {
      OrderChunk& c = chunks[size_t(k)];
      c.begin = cut[size_t(k)];
      c.end = cut[size_t(k) + 1];
      // Chunk 0's arrays become the dataset's: room for every row, the other chunks append.
      const size_t expect = estimate_rows(c.begin, k == 0 ? head.end : c.end);
      c.item.reserve(expect);
      c.promoter.reserve(expect);
      c.ts.reserve(expect);
      c.amount.reserve(expect);
      if (with_paths) c.path_end.reserve(expect);
      OrderRow row;
      std::vector<std::string_view> segs;
      std::string_view last_item;
      uint32_t last_item_id = kNoId;
      scan_chunk(c, progress, [&](const std::vector<std::string_view>& fields, int64_t line, RowRejects& rej) {
        if (!check(fields, line, rej, row, segs)) return false;
        for (std::string_view seg : segs) c.paths.push_back(c.promoters.intern(seg));
        if (row.item != last_item) {
          last_item = row.item;
          last_item_id = c.items.intern(row.item);
        }
        c.item.push_back(last_item_id);
        c.promoter.push_back(c.promoters.intern(row.promoter));
        c.ts.push_back(row.ts);
        c.amount.push_back(row.amount);
        if (with_paths) c.path_end.push_back(c.paths.size());
        return true;
      });
    });
    for (const OrderChunk& c : chunks) {
      if (c.quote) {
        ds_.report.warnings.resize(warnings);
        return false;
      }
    }
    // Merge in file order: rejected rows reported, ids interned globally in order of appearance.
    std::vector<std::vector<uint32_t>> item_map(chunks.size()), prom_map(chunks.size());
    int64_t line = head.next_line;
    for (size_t k = 0; k < chunks.size(); ++k) {
      OrderChunk& c = chunks[k];
      OrderRow row;
      report_bad_rows(c, line, [&](const std::vector<std::string_view>& fields, int64_t l, RowRejects& rej) {
        return check(fields, l, rej, row, segs_);
      });
      line += c.lines;
      ds_.report.order_rows += c.rows;
      if (k == 0) {
        ds_.items = std::move(c.items);  // the dataset's interners are still empty: same ids
        ds_.promoters = std::move(c.promoters);
      } else {
        item_map[k] = merge_ids(c.items, ds_.items);
        prom_map[k] = merge_ids(c.promoters, ds_.promoters);
      }
    }
    run_parallel(workers, [&](int k) {
      if (k == 0) return;
      OrderChunk& c = chunks[size_t(k)];
      for (uint32_t& id : c.item) id = item_map[size_t(k)][id];
      for (uint32_t& id : c.promoter) id = prom_map[size_t(k)][id];
      for (uint32_t& id : c.paths) id = prom_map[size_t(k)][id];
    });
    Orders& o = ds_.orders;
    o.item = std::move(chunks[0].item);
    o.promoter = std::move(chunks[0].promoter);
    o.ts = std::move(chunks[0].ts);
    o.amount = std::move(chunks[0].amount);
    raw_path_end_ = std::move(chunks[0].path_end);
    raw_paths_ = std::move(chunks[0].paths);
    // Append the other chunks, one array per task (the copies fault in fresh pages: in parallel).
    std::vector<std::function<void()>> appends = {
        [&] { for (size_t k = 1; k < chunks.size(); ++k) append(o.item, chunks[k].item); },
        [&] { for (size_t k = 1; k < chunks.size(); ++k) append(o.promoter, chunks[k].promoter); },
        [&] { for (size_t k = 1; k < chunks.size(); ++k) append(o.ts, chunks[k].ts); },
        [&] { for (size_t k = 1; k < chunks.size(); ++k) append(o.amount, chunks[k].amount); },
        [&] {
          for (size_t k = 1; k < chunks.size(); ++k) {
            const uint64_t base = raw_paths_.size();
            for (uint64_t end : chunks[k].path_end) raw_path_end_.push_back(base + end);
            append(raw_paths_, chunks[k].paths);
          }
        }};
    std::atomic<size_t> next{0};
    run_parallel(std::min<int>(workers, int(appends.size())), [&](int) {
      for (size_t j = next++; j < appends.size(); j = next++) appends[j]();
    });
    chunks.clear();
    progress.finish();
    return true;
  }

  bool read_edges_in_memory(const std::string& file, std::string_view bytes) {
    Header h;
    LineCursor head;
    const size_t warnings = ds_.report.warnings.size();
    if (!memory_header(bytes, file, edge_columns(), {true, true, true, true}, h, head)) return false;
    const int workers = parse_workers(size_t(head.end - head.pos), opts_.threads);
    std::vector<const char*> cut = split_at_lines(head.pos, head.end, workers);
    std::vector<EdgeChunk> chunks(static_cast<size_t>(workers));
    const TimeZone tz = opts_.tz;
    Progress progress("ingest " + fs::path(file).filename().string(), int64_t(bytes.size() / 1024), "KiB");
    auto check = [&](const std::vector<std::string_view>& fields, int64_t line, RowRejects& rej, EdgeRow& row) {
      return check_field_count(fields.size(), h, file, line, rej) && parse_edge_row(fields, h, tz, file, line, rej, row);
    };
    run_parallel(workers, [&](int k) {
      EdgeChunk& c = chunks[size_t(k)];
      c.begin = cut[size_t(k)];
      c.end = cut[size_t(k) + 1];
      c.edges.reserve(estimate_rows(c.begin, c.end));
      EdgeRow row;
      scan_chunk(c, progress, [&](const std::vector<std::string_view>& fields, int64_t line, RowRejects& rej) {
        if (!check(fields, line, rej, row)) return false;
        RawEdge e{};
        e.line = line;
        e.ts = row.ts;
        e.item = c.items.intern(row.item);
        e.parent = row.parent.empty() ? kNoId : c.promoters.intern(row.parent);
        e.child = c.promoters.intern(row.child);
        c.edges.push_back(e);
        return true;
      });
    });
    for (const EdgeChunk& c : chunks) {
      if (c.quote) {
        ds_.report.warnings.resize(warnings);
        return false;
      }
    }
    int64_t line = head.next_line;
    for (EdgeChunk& c : chunks) {
      EdgeRow row;
      report_bad_rows(c, line, [&](const std::vector<std::string_view>& fields, int64_t l, RowRejects& rej) {
        return check(fields, l, rej, row);
      });
      ds_.report.edge_rows += c.rows;
      std::vector<uint32_t> item_map = merge_ids(c.items, ds_.items);
      std::vector<uint32_t> prom_map = merge_ids(c.promoters, ds_.promoters);
      for (RawEdge e : c.edges) {
        e.line += line - 1;
        e.item = item_map[e.item];
        e.parent = e.parent == kNoId ? kNoId : prom_map[e.parent];
        e.child = prom_map[e.child];
        raw_edges_.push_back(e);
      }
      line += c.lines;
      c = EdgeChunk();
    }
    progress.finish();
    return true;
  }

  void read_orders(const std::string& file) {
    bool done = false;
    if (!opts_.streaming) {
      MappedFile f(file);
      done = !f.gzip() && read_orders_in_memory(file, f.bytes());
    }
    if (!done) read_orders_streaming(file);
    if (ds_.report.order_rows == 0) {
      throw InputError(fmt::format("{}: no data rows after the header (an orders file must hold at least one order)", file));
    }
  }

  void read_edges(const std::string& file) {
    bool done = false;
    if (!opts_.streaming) {
      MappedFile f(file);
      done = !f.gzip() && read_edges_in_memory(file, f.bytes());
    }
    if (!done) read_edges_streaming(file);
    if (ds_.report.edge_rows == 0) {
      ds_.report.warnings.push_back(fmt::format("{}: header only, no edges", file));
    }
  }

  std::string pname(uint32_t id) const { return id == kNoId ? std::string("(root)") : shorten(ds_.promoters.name(id)); }

  // Duplicate / conflicting parents, then cycles; builds ds_.edges and the parent lookup.
  void resolve_edges(const std::string& file) {
    std::vector<RawEdge>& e = raw_edges_;
    // Group by (item, child) in file order.
    // Rows arrive in line order, so two stable counting sorts (child, then item) give (item, child, line).
    stable_sort_by(e, ds_.promoters.size(), [](const RawEdge& x) { return x.child; });
    stable_sort_by(e, ds_.items.size(), [](const RawEdge& x) { return x.item; });
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
    // `kept` is grouped by item: the child -> edge lookup is a dense array over promoters, filled for
    // one item at a time.
    {
      std::vector<uint32_t> parent_of(kept.empty() ? 0 : ds_.promoters.size(), kNoId);
      std::vector<uint8_t> state(kept.size(), 0);  // 0 new, 1 on current walk, 2 done
      std::vector<uint8_t> removed(kept.size(), 0);
      std::vector<uint32_t> walk;
      uint32_t item_end = 0;
      for (uint32_t k0 = 0; k0 < kept.size(); ++k0) {
        if (k0 == item_end) {
          for (uint32_t k = k0; k-- > 0 && kept[k].item == kept[k0 - 1].item;) parent_of[kept[k].child] = kNoId;
          for (item_end = k0; item_end < kept.size() && kept[item_end].item == kept[k0].item; ++item_end) {
            parent_of[kept[item_end].child] = item_end;
          }
        }
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
          uint32_t up = parent_of[kept[k].parent];
          if (up == kNoId) break;
          k = up;
        }
        for (uint32_t w : walk) state[w] = 2;
      }
      size_t out_n = 0;
      for (size_t k = 0; k < kept.size(); ++k)
        if (!removed[k]) kept[out_n++] = kept[k];
      kept.resize(out_n);
    }
    // Final edge order: (item, ts, line); `kept` is grouped by item already, so each item sorts alone.
    for (size_t b = 0; b < kept.size();) {
      size_t end = b;
      while (end < kept.size() && kept[end].item == kept[b].item) ++end;
      std::sort(kept.begin() + int64_t(b), kept.begin() + int64_t(end), [](const RawEdge& x, const RawEdge& y) {
        return std::tie(x.ts, x.line) < std::tie(y.ts, y.line);
      });
      b = end;
    }
    Edges& out = ds_.edges;
    out.item.resize(kept.size());
    out.parent.resize(kept.size());
    out.child.resize(kept.size());
    out.ts.resize(kept.size());
    for (uint32_t k = 0; k < kept.size(); ++k) {
      out.item[k] = kept[k].item;
      out.parent[k] = kept[k].parent;
      out.child[k] = kept[k].child;
      out.ts[k] = kept[k].ts;
    }
    raw_edges_.clear();
    raw_edges_.shrink_to_fit();
  }

  // Orders by (item, ts), ties in input order, each with its resolved path. Logs usually come sorted:
  // then nothing moves. Paths are resolved in parallel over ranges of orders.
  void resolve_orders() {
    Orders& o = ds_.orders;
    const size_t n = o.item.size();
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
    o.path_explicit.resize(n);
    o.path_offset.resize(n + 1);
    o.path_offset[0] = 0;
    const int workers = parse_workers(n * 40, opts_.threads);
    std::vector<std::vector<uint32_t>> nodes(static_cast<size_t>(workers));
    run_parallel(workers, [&](int k) {
      const size_t lo = n * size_t(k) / size_t(workers), hi = n * size_t(k + 1) / size_t(workers);
      resolve_range(lo, hi, sorted ? nullptr : perm.data(), nodes[size_t(k)]);
    });
    // Per-range offsets -> global, then one node array.
    uint64_t base = 0;
    std::vector<uint64_t> bases(static_cast<size_t>(workers));
    for (size_t k = 0; k < nodes.size(); ++k) {
      bases[k] = base;
      base += nodes[k].size();
    }
    run_parallel(workers, [&](int k) {
      const size_t lo = n * size_t(k) / size_t(workers), hi = n * size_t(k + 1) / size_t(workers);
      for (size_t i = lo; i < hi; ++i) o.path_offset[i + 1] += bases[size_t(k)];
    });
    o.path_node = std::move(nodes[0]);
    o.path_node.reserve(base);
    for (size_t k = 1; k < nodes.size(); ++k) {
      o.path_node.insert(o.path_node.end(), nodes[k].begin(), nodes[k].end());
      nodes[k] = std::vector<uint32_t>();
    }
    o.path_node.shrink_to_fit();
    raw_path_end_ = std::vector<uint64_t>();
    raw_paths_ = std::vector<uint32_t>();
  }

  // Paths of orders [lo, hi) into `out`; path_offset[i + 1] = end of order i's path within `out`.
  // The ancestor chain as of an order's time follows parent edges that exist by then; each item's
  // (child -> edge) lookup is a dense array over promoters, filled when the range enters the item.
  void resolve_range(size_t lo, size_t hi, const uint32_t* perm, std::vector<uint32_t>& out) {
    Orders& o = ds_.orders;
    const Edges& ed = ds_.edges;
    out.reserve((hi - lo) * 3 + 16);
    std::vector<uint32_t> edge_of;
    if (ed.size() > 0) edge_of.assign(ds_.promoters.size(), kNoId);
    uint32_t cur_item = kNoId;
    uint64_t item_eb = 0, item_ee = 0;
    for (size_t i = lo; i < hi; ++i) {
      const size_t src = perm == nullptr ? i : perm[i];
      const bool with_paths = !raw_path_end_.empty();
      const uint64_t pb = !with_paths || src == 0 ? 0 : raw_path_end_[src - 1], pe = with_paths ? raw_path_end_[src] : 0;
      if (pe > pb) {
        o.path_explicit[i] = 1;
        out.insert(out.end(), raw_paths_.begin() + int64_t(pb), raw_paths_.begin() + int64_t(pe));
      } else {
        o.path_explicit[i] = 0;
        if (o.item[i] != cur_item && !edge_of.empty()) {
          for (uint64_t k = item_eb; k < item_ee; ++k) edge_of[ed.child[k]] = kNoId;
          cur_item = o.item[i];
          item_eb = uint64_t(std::lower_bound(ed.item.begin(), ed.item.end(), cur_item) - ed.item.begin());
          item_ee = uint64_t(std::upper_bound(ed.item.begin() + int64_t(item_eb), ed.item.end(), cur_item) -
                             ed.item.begin());
          for (uint64_t k = item_eb; k < item_ee; ++k) edge_of[ed.child[k]] = uint32_t(k);
        }
        const size_t start = out.size();
        uint32_t cur = o.promoter[i];
        out.push_back(cur);
        if (!edge_of.empty()) {
          for (;;) {
            uint32_t e = edge_of[cur];
            if (e == kNoId || ed.ts[e] > o.ts[i] || ed.parent[e] == kNoId) break;
            cur = ed.parent[e];
            out.push_back(cur);
          }
        }
        std::reverse(out.begin() + int64_t(start), out.end());  // root first
      }
      o.path_offset[i + 1] = out.size();
    }
  }

  const IngestOptions& opts_;
  Dataset ds_;
  std::vector<uint64_t> raw_path_end_;  // with a path column: per order, end of its path in raw_paths_
  std::vector<uint32_t> raw_paths_;
  std::vector<RawEdge> raw_edges_;
  std::vector<std::string_view> fields_, segs_;
};

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

std::string find_input_file(const std::string& dir, const std::string& stem, bool required) {
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
  std::string orders = find_input_file(options.data_dir, "orders", true);
  std::string edges = find_input_file(options.data_dir, "edges", false);
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
