// Private: an open-addressing hash map from uint64 keys to uint32 values (no erase), used for the
// (item, promoter) lookups on ingestion and network building hot paths.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <vector>

namespace dnts::data {

class FlatMap64 {
 public:
  static constexpr uint32_t kMissing = 0xFFFFFFFFu;
  explicit FlatMap64(size_t expected = 16) {
    size_t cap = 16;
    while (cap < expected * 2) cap *= 2;
    keys_.assign(cap, kEmpty);
    vals_.assign(cap, 0);
    mask_ = cap - 1;
  }
  static uint64_t mix(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
  }
  uint32_t get(uint64_t key) const {
    if (key == kEmpty) return kMissing;  // the empty marker is never a stored key
    for (uint64_t pos = mix(key) & mask_;; pos = (pos + 1) & mask_) {
      if (keys_[pos] == key) return vals_[pos];
      if (keys_[pos] == kEmpty) return kMissing;
    }
  }
  /// Inserts if absent; returns a reference to the stored value and whether it was inserted.
  uint32_t& emplace(uint64_t key, uint32_t value, bool& inserted) {
    if (key == kEmpty) throw std::logic_error("FlatMap64: the all-ones key is reserved");
    if ((size_ + 1) * 2 > keys_.size()) rehash();
    uint64_t pos = mix(key) & mask_;
    for (;; pos = (pos + 1) & mask_) {
      if (keys_[pos] == key) {
        inserted = false;
        return vals_[pos];
      }
      if (keys_[pos] == kEmpty) break;
    }
    keys_[pos] = key;
    vals_[pos] = value;
    ++size_;
    inserted = true;
    return vals_[pos];
  }
  void set(uint64_t key, uint32_t value) {
    bool inserted = false;
    emplace(key, value, inserted) = value;
  }
  size_t size() const { return size_; }
  void clear() {
    std::fill(keys_.begin(), keys_.end(), kEmpty);
    size_ = 0;
  }

 private:
  static constexpr uint64_t kEmpty = ~uint64_t(0);
  void rehash() {
    std::vector<uint64_t> keys(keys_.size() * 2, kEmpty);
    std::vector<uint32_t> vals(keys.size(), 0);
    uint64_t mask = keys.size() - 1;
    for (size_t i = 0; i < keys_.size(); ++i) {
      if (keys_[i] == kEmpty) continue;
      uint64_t pos = mix(keys_[i]) & mask;
      while (keys[pos] != kEmpty) pos = (pos + 1) & mask;
      keys[pos] = keys_[i];
      vals[pos] = vals_[i];
    }
    keys_.swap(keys);
    vals_.swap(vals);
    mask_ = mask;
  }
  std::vector<uint64_t> keys_;
  std::vector<uint32_t> vals_;
  uint64_t mask_ = 0;
  size_t size_ = 0;
};

inline uint64_t pair_key(uint32_t a, uint32_t b) { return (uint64_t(a) << 32) | b; }

}  // namespace dnts::data
