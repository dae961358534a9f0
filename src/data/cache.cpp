// Binary cache of a parsed Dataset: header (magic, format version, key, payload size, checksum) and a
// payload of length-prefixed arrays. Written to a temporary file and renamed, so a crash never
// leaves a partial file under the final name; a checksum mismatch on load is a clear error.
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "dnts/data/ingest.h"
#include "dnts/error.h"

namespace dnts::data {
namespace {

constexpr char kMagic[8] = {'D', 'N', 'T', 'S', 'D', 'S', 'E', 'T'};
constexpr uint32_t kFormatVersion = 1;

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

struct Writer {
  std::string buf;
  template <typename T>
  void pod(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    buf.append(reinterpret_cast<const char*>(&v), sizeof(T));
  }
  template <typename T>
  void vec(const std::vector<T>& v) {
    pod<uint64_t>(v.size());
    buf.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
  }
  void str(const std::string& s) {
    pod<uint64_t>(s.size());
    buf.append(s);
  }
};

struct Reader {
  const char* p;
  const char* end;
  std::string path;
  void need(size_t n) {
    if (size_t(end - p) < n) throw IoError(fmt::format("{}: corrupt binary cache (truncated payload)", path));
  }
  template <typename T>
  T pod() {
    need(sizeof(T));
    T v;
    std::memcpy(&v, p, sizeof(T));
    p += sizeof(T);
    return v;
  }
  template <typename T>
  void vec(std::vector<T>& v) {
    uint64_t n = pod<uint64_t>();
    if (n > uint64_t(end - p) / sizeof(T)) throw IoError(fmt::format("{}: corrupt binary cache (bad length)", path));
    v.resize(n);
    std::memcpy(v.data(), p, n * sizeof(T));
    p += n * sizeof(T);
  }
  std::string str() {
    uint64_t n = pod<uint64_t>();
    need(n);
    std::string s(p, n);
    p += n;
    return s;
  }
};

nlohmann::json report_to_json(const IngestReport& r) {
  return {{"order_rows", r.order_rows}, {"edge_rows", r.edge_rows}, {"skipped", r.skipped},
          {"merged", r.merged},         {"warnings", r.warnings},   {"examples", r.examples}};
}

}  // namespace

void save_cache(const Dataset& ds, const std::string& path, const std::string& key) {
  Writer w;
  w.str(ds.items.blob());
  w.vec(ds.items.offsets());
  w.str(ds.promoters.blob());
  w.vec(ds.promoters.offsets());
  const Orders& o = ds.orders;
  w.vec(o.item);
  w.vec(o.promoter);
  w.vec(o.ts);
  w.vec(o.amount);
  w.vec(o.path_explicit);
  w.vec(o.path_offset);
  w.vec(o.path_node);
  const Edges& e = ds.edges;
  w.vec(e.item);
  w.vec(e.parent);
  w.vec(e.child);
  w.vec(e.ts);
  w.pod<int32_t>(ds.tz.offset_s);
  w.str(report_to_json(ds.report).dump());

  std::string tmp = path + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) throw IoError(fmt::format("{}: cannot create: {}", tmp, std::strerror(errno)));
  uint64_t key_len = key.size(), payload_len = w.buf.size(), sum = checksum(w.buf.data(), w.buf.size());
  bool ok = std::fwrite(kMagic, 1, 8, f) == 8 && std::fwrite(&kFormatVersion, 4, 1, f) == 1 &&
            std::fwrite(&key_len, 8, 1, f) == 1 && std::fwrite(key.data(), 1, key.size(), f) == key.size() &&
            std::fwrite(&payload_len, 8, 1, f) == 1 && std::fwrite(&sum, 8, 1, f) == 1 &&
            std::fwrite(w.buf.data(), 1, w.buf.size(), f) == w.buf.size();
  ok = (std::fclose(f) == 0) && ok;
  if (!ok) {
    std::remove(tmp.c_str());
    throw IoError(fmt::format("{}: write failed", tmp));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    throw IoError(fmt::format("{}: cannot rename into place: {}", path, std::strerror(errno)));
  }
}

bool load_cache(const std::string& path, const std::string& key, Dataset& out) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return false;
  struct Closer {
    FILE* f;
    ~Closer() { std::fclose(f); }
  } closer{f};
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
  uint64_t payload_len = 0, sum = 0;
  if (std::fread(&payload_len, 8, 1, f) != 1 || std::fread(&sum, 8, 1, f) != 1) {
    throw IoError(fmt::format("{}: corrupt binary cache (header); delete it", path));
  }
  std::error_code ec;
  uint64_t file_size = std::filesystem::file_size(path, ec);
  if (ec || payload_len > file_size) throw IoError(fmt::format("{}: corrupt binary cache (truncated); delete it", path));
  std::string buf(payload_len, '\0');
  if (std::fread(buf.data(), 1, payload_len, f) != payload_len) {
    throw IoError(fmt::format("{}: corrupt binary cache (truncated); delete it", path));
  }
  if (checksum(buf.data(), buf.size()) != sum) {
    throw IoError(fmt::format("{}: corrupt binary cache (checksum mismatch); delete it", path));
  }
  Reader r{buf.data(), buf.data() + buf.size(), path};
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
  r.vec(o.item);
  r.vec(o.promoter);
  r.vec(o.ts);
  r.vec(o.amount);
  r.vec(o.path_explicit);
  r.vec(o.path_offset);
  r.vec(o.path_node);
  Edges& e = ds.edges;
  r.vec(e.item);
  r.vec(e.parent);
  r.vec(e.child);
  r.vec(e.ts);
  ds.tz.offset_s = r.pod<int32_t>();
  auto rep = nlohmann::json::parse(r.str());
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
  for (size_t i = 0; ok && i < n; ++i) ok = o.item[i] < ds.items.size() && o.promoter[i] < ds.promoters.size();
  for (uint32_t p : o.path_node) ok = ok && p < ds.promoters.size();
  if (!ok) throw IoError(fmt::format("{}: corrupt binary cache (inconsistent arrays); delete it", path));
  ds.index_items();
  out = std::move(ds);
  return true;
}

}  // namespace dnts::data
