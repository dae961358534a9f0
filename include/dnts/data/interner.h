// String interning: every promoter and item id is turned into a dense uint32 once, at ingestion.
// Storage is one byte blob plus offsets (compact and directly serialisable to the binary cache).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dnts::data {

inline constexpr uint32_t kNoId = 0xFFFFFFFFu;

/// Example:
///   Interner ids;
///   uint32_t a = ids.intern("p42");   // 0
///   ids.name(a) == "p42"; ids.find("p7") == kNoId;
class Interner {
 public:
  Interner();
  /// Returns the id of `s`, adding it if new. Ids are dense, in order of first appearance.
  uint32_t intern(std::string_view s);
  /// Returns the id of `s` or kNoId.
  uint32_t find(std::string_view s) const;
  std::string_view name(uint32_t id) const {
    return std::string_view(blob_.data() + offsets_[id], offsets_[id + 1] - offsets_[id]);
  }
  uint32_t size() const { return static_cast<uint32_t>(offsets_.size() - 1); }

  /// Raw storage, for the binary cache.
  const std::string& blob() const { return blob_; }
  const std::vector<uint64_t>& offsets() const { return offsets_; }
  /// Rebuilds from raw storage (validates offsets; throws IoError when inconsistent).
  void assign(std::string blob, std::vector<uint64_t> offsets);

 private:
  static uint64_t hash(std::string_view s);
  bool equals(uint32_t id, std::string_view s) const;
  void grow();
  std::string blob_;
  std::vector<uint64_t> offsets_;  // size() + 1 entries
  std::vector<uint32_t> slots_;    // open addressing, id + 1 (0 = empty)
  uint64_t mask_ = 0;
};

}  // namespace dnts::data
