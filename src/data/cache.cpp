// Binary cache of a parsed Dataset: header (magic, format version, key), a payload of length-prefixed
// arrays, and a footer (checksum, end magic). Written to a temporary file and renamed, so a crash
// never leaves a partial file under the final name; a checksum mismatch on load is a clear error.
// Loading maps the file and copies the large arrays on several threads, each checksummed in 256 KiB
// blocks right after its copy (while the block is still in cache).
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <thread>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "data/csv_scan_impl.h"
#include "dnts/data/csv.h"
#include "dnts/data/ingest.h"
#include "dnts/error.h"

namespace dnts::data {
namespace {

constexpr char kMagic[8] = {'D', 'N', 'T', 'S', 'D', 'S', 'E', 'T'};
constexpr char kEndMagic[8] = {'D', 'N', 'T', 'S', 'E', 'N', 'D', '!'};
constexpr uint32_t kFormatVersion = 4;
constexpr size_t kBlock = 256 << 10;  // small enough to be checksummed from L2 right after its copy

uint64_t checksum(const char* p, size_t n) {
  // 4 independent multiply-xor lanes over 8-byte words: several GB/s, catches truncation and flips.
  uint64_t h[4] = {0x9E3779B97F4A7C15ULL, 0xC2B2AE3D27D4EB4FULL, 0x165667B19E3779F9ULL, 0x27D4EB2F165667C5ULL};
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    for (int l = 0; l < 4; ++l) {
      uint64_t w;
      std::memcpy(&w, p + i + 8 * l, 8);
      h[l] = (h[l] ^ w) * 0x100000001B3ULL;
      h[l] ^= h[l] >> 31;
    }
  }
  uint64_t r = n;
  for (; i < n; ++i) r = (r ^ static_cast<unsigned char>(p[i])) * 0x100000001B3ULL;
  for (uint64_t v : h) r = (r ^ v) * 0xff51afd7ed558ccdULL, r ^= r >> 33;
  return r;
}

uint64_t combine(uint64_t acc, uint64_t h) { return (acc ^ h) * 0x9E3779B97F4A7C15ULL + (acc >> 29); }

// A section's hash: its 256 KiB blocks' checksums combined in order (so a block can be hashed as soon
// as it is copied).
uint64_t section_checksum(const char* p, size_t n) {
  uint64_t h = combine(0, n);
  for (size_t off = 0; off < n; off += kBlock) h = combine(h, checksum(p + off, std::min(kBlock, n - off)));
  return h;
}

// Sections are written straight from the arrays; each section's bytes are hashed, and the combined
// hash sits in a footer after the last section.
class SectionWriter {
 public:
  SectionWriter(FILE* f, std::string path) : f_(f), path_(std::move(path)) {}
  void bytes(const void* p, size_t n) {
    uint64_t len = n;
    put(&len, 8);
    put(p, n);
    sum_ = combine(sum_, section_checksum(static_cast<const char*>(p), n));
  }
  template <typename T>
  void vec(const std::vector<T>& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    bytes(v.data(), v.size() * sizeof(T));
  }
  void str(const std::string& s) { bytes(s.data(), s.size()); }
  void put(const void* p, size_t n) {
    if (n > 0 && std::fwrite(p, 1, n, f_) != n) throw IoError(fmt::format("{}: write failed: {}", path_, std::strerror(errno)));
  }
  uint64_t sum() const { return sum_; }

 private:
  FILE* f_;
  std::string path_;
  uint64_t sum_ = 0;
};

// Reads sections from the mapped file. Small sections are copied at once; large arrays become jobs
// that run in parallel (copy + checksum + largest id); hashes are combined in file order at the end.
class SectionReader {
 public:
  SectionReader(const char* p, size_t n, std::string path) : p_(p), end_(p + n), path_(std::move(path)) {}
  [[noreturn]] void corrupt(const char* what) const {
    throw IoError(fmt::format("{}: corrupt binary cache ({}); delete it", path_, what));
  }
  std::string_view raw(size_t n) {
    if (n > size_t(end_ - p_)) corrupt("truncated");
    std::string_view s(p_, n);
    p_ += n;
    return s;
  }
  std::string_view section(size_t elem) {
    uint64_t len = 0;
    std::memcpy(&len, raw(8).data(), 8);
    if (len > size_t(end_ - p_) || len % elem != 0) corrupt("bad section length");
    return raw(len);
  }
  template <typename T>
  void vec(std::vector<T>& v) {
    std::string_view s = section(sizeof(T));
    v.resize(s.size() / sizeof(T));
    if (!s.empty()) std::memcpy(v.data(), s.data(), s.size());
    hashes_.push_back(section_checksum(s.data(), s.size()));
  }
  std::string str() {
    std::string_view s = section(1);
    hashes_.push_back(section_checksum(s.data(), s.size()));
    return std::string(s);
  }
  /// A large array, loaded by run_jobs(); `max_id` (if given) receives its largest element.
  template <typename T>
  void vec_job(std::vector<T>& v, uint32_t* max_id = nullptr) {
    std::string_view s = section(sizeof(T));
    const size_t slot = hashes_.size();
    hashes_.push_back(0);
    jobs_.push_back({s.size(), [this, &v, s, slot, max_id]() {
                       v.resize(s.size() / sizeof(T));
                       char* dst = reinterpret_cast<char*>(v.data());
                       uint64_t h = combine(0, s.size());
                       uint32_t mx = 0;
                       for (size_t off = 0; off < s.size(); off += kBlock) {
                         const size_t n = std::min(kBlock, s.size() - off);
                         std::memcpy(dst + off, s.data() + off, n);
                         h = combine(h, checksum(dst + off, n));
                         if constexpr (std::is_same_v<T, uint32_t>) {
                           if (max_id != nullptr) {
                             const uint32_t* w = reinterpret_cast<const uint32_t*>(dst + off);
                             for (size_t i = 0; i < n / 4; ++i) mx = std::max(mx, w[i]);
                           }
                         }
                       }
                       hashes_[slot] = h;
                       if (max_id != nullptr) *max_id = mx;
                     }});
  }
  /// Runs the queued array jobs on up to `threads` threads, largest first.
  void run_jobs(int threads) {
    std::sort(jobs_.begin(), jobs_.end(), [](const Job& a, const Job& b) { return a.bytes > b.bytes; });
    std::atomic<size_t> next{0};
    run_parallel(std::max(1, std::min<int>(threads, int(jobs_.size()))), [&](int) {
      for (size_t j = next++; j < jobs_.size(); j = next++) jobs_[j].run();
    });
    jobs_.clear();
  }
  uint64_t sum() const {
    uint64_t s = 0;
    for (uint64_t h : hashes_) s = combine(s, h);
    return s;
  }

 private:
  struct Job {
    size_t bytes;
    std::function<void()> run;
  };
  const char* p_;
  const char* end_;
  std::string path_;
  std::vector<uint64_t> hashes_;
  std::vector<Job> jobs_;
};

nlohmann::json report_to_json(const IngestReport& r) {
  return {{"order_rows", r.order_rows}, {"edge_rows", r.edge_rows}, {"skipped", r.skipped},
          {"merged", r.merged},         {"warnings", r.warnings},   {"examples", r.examples}};
}

struct FileCloser {
  FILE* f;
  ~FileCloser() {
    if (f != nullptr) std::fclose(f);
  }
};

}  // namespace

void save_cache(const Dataset& ds, const std::string& path, const std::string& key) {
  std::string tmp = temp_path_for(path);
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) throw IoError(fmt::format("{}: cannot create: {}", tmp, std::strerror(errno)));
  try {
    FileCloser closer{f};
    SectionWriter w(f, tmp);
    uint64_t key_len = key.size();
    w.put(kMagic, 8);
    w.put(&kFormatVersion, 4);
    w.put(&key_len, 8);
    w.put(key.data(), key.size());
    w.str(ds.items.blob());
    w.vec(ds.items.offsets());
    w.str(ds.promoters.blob());
    w.vec(ds.promoters.offsets());
    const Orders& o = ds.orders;
    const Edges& e = ds.edges;
    w.vec(o.item);
    w.vec(o.promoter);
    w.vec(o.ts);
    w.vec(o.amount);
    w.vec(o.path_explicit);
    w.vec(o.path_offset);
    w.vec(o.path_node);
    w.vec(e.item);
    w.vec(e.parent);
    w.vec(e.child);
    w.vec(e.ts);
    w.bytes(&ds.tz.offset_s, sizeof(ds.tz.offset_s));
    w.str(report_to_json(ds.report).dump());
    uint64_t sum = w.sum();
    w.put(&sum, 8);
    w.put(kEndMagic, 8);
    closer.f = nullptr;
    if (std::fclose(f) != 0) throw IoError(fmt::format("{}: close failed: {}", tmp, std::strerror(errno)));
  } catch (...) {
    std::remove(tmp.c_str());
    throw;
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    throw IoError(fmt::format("{}: cannot rename into place: {}", path, std::strerror(errno)));
  }
}

bool load_cache(const std::string& path, const std::string& key, Dataset& out) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return false;
  MappedFile file(path);
  const std::string_view bytes = file.bytes();
  auto header_error = [&]() { return IoError(fmt::format("{}: corrupt binary cache (header); delete it", path)); };
  if (bytes.size() < 8 || std::memcmp(bytes.data(), kMagic, 8) != 0) {
    throw IoError(fmt::format("{}: not a dnts binary cache (bad magic); delete it", path));
  }
  uint32_t version = 0;
  uint64_t key_len = 0;
  if (bytes.size() < 12) throw header_error();
  std::memcpy(&version, bytes.data() + 8, 4);
  if (version != kFormatVersion) return false;  // other version: rebuild
  if (bytes.size() < 20) throw header_error();
  std::memcpy(&key_len, bytes.data() + 12, 8);
  if (key_len > (1 << 20) || bytes.size() < 20 + key_len) throw header_error();
  if (bytes.substr(20, key_len) != key) return false;  // input or options changed: stale
  const uint64_t header = 20 + key_len;
  if (bytes.size() < header + 16) throw IoError(fmt::format("{}: corrupt binary cache (truncated); delete it", path));
  SectionReader r(bytes.data() + header, bytes.size() - header - 16, path);
  Dataset ds;
  {
    std::string blob = r.str();
    std::vector<uint64_t> offsets;
    r.vec(offsets);
    ds.items.assign(std::move(blob), std::move(offsets));
  }
  {
    std::string blob = r.str();
    std::vector<uint64_t> offsets;
    r.vec(offsets);
    ds.promoters.assign(std::move(blob), std::move(offsets));
  }
  Orders& o = ds.orders;
  Edges& e = ds.edges;
  uint32_t max_item = 0, max_promoter = 0, max_node = 0;
  r.vec_job(o.item, &max_item);
  r.vec_job(o.promoter, &max_promoter);
  r.vec_job(o.ts);
  r.vec_job(o.amount);
  r.vec_job(o.path_explicit);
  r.vec_job(o.path_offset);
  r.vec_job(o.path_node, &max_node);
  r.vec(e.item);
  r.vec(e.parent);
  r.vec(e.child);
  r.vec(e.ts);
  std::vector<int32_t> tz;
  r.vec(tz);
  std::string report = r.str();
  r.run_jobs(int(std::max(1u, std::thread::hardware_concurrency())));
  uint64_t sum = 0;
  const char* footer = bytes.data() + bytes.size() - 16;
  std::memcpy(&sum, footer, 8);
  if (std::memcmp(footer + 8, kEndMagic, 8) != 0) r.corrupt("truncated");
  if (sum != r.sum()) r.corrupt("checksum mismatch");
  if (tz.size() != 1) r.corrupt("bad time zone section");
  ds.tz.offset_s = tz[0];
  auto rep = nlohmann::json::parse(report);
  ds.report.order_rows = rep.at("order_rows");
  ds.report.edge_rows = rep.at("edge_rows");
  ds.report.skipped = rep.at("skipped").get<std::map<std::string, int64_t>>();
  ds.report.merged = rep.at("merged").get<std::map<std::string, int64_t>>();
  ds.report.warnings = rep.at("warnings").get<std::vector<std::string>>();
  ds.report.examples = rep.at("examples").get<std::vector<std::string>>();
  // Structural validation: a cache that passes the checksum but is inconsistent is still rejected.
  size_t n = o.item.size();
  const uint32_t n_items = ds.items.size(), n_prom = ds.promoters.size();
  bool ok = o.promoter.size() == n && o.ts.size() == n && o.amount.size() == n && o.path_explicit.size() == n &&
            o.path_offset.size() == n + 1 && o.path_offset.back() == o.path_node.size() &&
            e.parent.size() == e.item.size() && e.child.size() == e.item.size() && e.ts.size() == e.item.size();
  ok = ok && (n == 0 || (max_item < n_items && max_promoter < n_prom)) && (o.path_node.empty() || max_node < n_prom);
  if (!ok) r.corrupt("inconsistent arrays");
  ds.index_items();
  out = std::move(ds);
  return true;
}

}  // namespace dnts::data
