// Binary cache of a parsed Dataset: header (magic, format version, key, payload size, checksum) and a
// payload of length-prefixed arrays. Written to a temporary file and renamed, so a crash never
// leaves a partial file under the final name; a checksum mismatch on load is a clear error.
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "dnts/data/csv.h"
#include "dnts/data/ingest.h"
#include "dnts/error.h"

namespace dnts::data {
namespace {

constexpr char kMagic[8] = {'D', 'N', 'T', 'S', 'D', 'S', 'E', 'T'};
constexpr char kEndMagic[8] = {'D', 'N', 'T', 'S', 'E', 'N', 'D', '!'};
constexpr uint32_t kFormatVersion = 2;

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

// Sections are written straight from the arrays and read straight into them (no staging copy);
// each section's bytes are hashed, and the combined hash sits in a footer after the last section.
class SectionWriter {
 public:
  SectionWriter(FILE* f, std::string path) : f_(f), path_(std::move(path)) {}
  void bytes(const void* p, size_t n) {
    uint64_t len = n;
    put(&len, 8);
    put(p, n);
    sum_ = combine(sum_, checksum(static_cast<const char*>(p), n));
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

class SectionReader {
 public:
  SectionReader(FILE* f, std::string path, uint64_t remaining) : f_(f), path_(std::move(path)), remaining_(remaining) {}
  [[noreturn]] void corrupt(const char* what) const {
    throw IoError(fmt::format("{}: corrupt binary cache ({}); delete it", path_, what));
  }
  void get(void* p, size_t n) {
    if (n > remaining_ || (n > 0 && std::fread(p, 1, n, f_) != n)) corrupt("truncated");
    remaining_ -= n;
  }
  uint64_t length(size_t elem) {
    uint64_t len = 0;
    get(&len, 8);
    if (len > remaining_ || len % elem != 0) corrupt("bad section length");
    return len;
  }
  template <typename T>
  void vec(std::vector<T>& v) {
    uint64_t len = length(sizeof(T));
    v.resize(len / sizeof(T));
    get(v.data(), len);
    sum_ = combine(sum_, checksum(reinterpret_cast<const char*>(v.data()), len));
  }
  std::string str() {
    uint64_t len = length(1);
    std::string s(len, '\0');
    get(s.data(), len);
    sum_ = combine(sum_, checksum(s.data(), len));
    return s;
  }
  uint64_t sum() const { return sum_; }

 private:
  FILE* f_;
  std::string path_;
  uint64_t remaining_;
  uint64_t sum_ = 0;
};

// The order and edge arrays, in file order: one list for writing (SectionWriter, const Dataset) and
// reading (SectionReader, Dataset).
template <typename Io, typename Ds>
void event_arrays(Io& io, Ds& ds) {
  auto& o = ds.orders;
  auto& e = ds.edges;
  io.vec(o.item);
  io.vec(o.promoter);
  io.vec(o.ts);
  io.vec(o.amount);
  io.vec(o.path_explicit);
  io.vec(o.path_offset);
  io.vec(o.path_node);
  io.vec(e.item);
  io.vec(e.parent);
  io.vec(e.child);
  io.vec(e.ts);
}

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
    event_arrays(w, ds);
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
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return false;
  FileCloser closer{f};
  std::error_code ec;
  uint64_t file_size = std::filesystem::file_size(path, ec);
  if (ec) return false;
  char magic[8];
  uint32_t version = 0;
  uint64_t key_len = 0;
  if (std::fread(magic, 1, 8, f) != 8 || std::memcmp(magic, kMagic, 8) != 0) {
    throw IoError(fmt::format("{}: not a dnts binary cache (bad magic); delete it", path));
  }
  if (std::fread(&version, 4, 1, f) != 1 || version != kFormatVersion) return false;  // other version: rebuild
  if (std::fread(&key_len, 8, 1, f) != 1 || key_len > (1 << 20)) {
    throw IoError(fmt::format("{}: corrupt binary cache (header); delete it", path));
  }
  std::string stored(key_len, '\0');
  if (std::fread(stored.data(), 1, key_len, f) != key_len) {
    throw IoError(fmt::format("{}: corrupt binary cache (header); delete it", path));
  }
  if (stored != key) return false;  // input or options changed: stale
  uint64_t header = 8 + 4 + 8 + key_len;
  if (file_size < header + 16) throw IoError(fmt::format("{}: corrupt binary cache (truncated); delete it", path));
  SectionReader r(f, path, file_size - header - 16);
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
  event_arrays(r, ds);
  const Orders& o = ds.orders;
  const Edges& e = ds.edges;
  std::vector<int32_t> tz;
  r.vec(tz);
  std::string report = r.str();
  uint64_t sum = 0;
  char end_magic[8];
  if (std::fread(&sum, 8, 1, f) != 1 || std::fread(end_magic, 1, 8, f) != 8 || std::memcmp(end_magic, kEndMagic, 8) != 0) {
    r.corrupt("truncated");
  }
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
  bool ok = o.promoter.size() == n && o.ts.size() == n && o.amount.size() == n && o.path_explicit.size() == n &&
            o.path_offset.size() == n + 1 && o.path_offset.back() == o.path_node.size() &&
            e.parent.size() == e.item.size() && e.child.size() == e.item.size() && e.ts.size() == e.item.size();
  const uint32_t n_items = ds.items.size(), n_prom = ds.promoters.size();
  for (size_t i = 0; ok && i < n; ++i) ok = o.item[i] < n_items && o.promoter[i] < n_prom;
  for (size_t i = 0; ok && i < o.path_node.size(); ++i) ok = o.path_node[i] < n_prom;
  if (!ok) r.corrupt("inconsistent arrays");
  ds.index_items();
  out = std::move(ds);
  return true;
}

}  // namespace dnts::data
