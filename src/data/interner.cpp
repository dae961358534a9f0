#include "dnts/data/interner.h"

#include <cstring>

#include "dnts/error.h"

namespace dnts::data {

Interner::Interner() : offsets_{0}, slots_(1024, 0), mask_(1023) {}

namespace {

uint64_t load64(const char* p) {
  uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}

uint32_t load32(const char* p) {
  uint32_t w;
  std::memcpy(&w, p, 4);
  return w;
}

// Equal bytes, inlined for short ids (overlapping loads stay inside both ranges).
bool same_bytes(const char* a, const char* b, size_t n) {
  if (n >= 8 && n <= 16) return load64(a) == load64(b) && load64(a + n - 8) == load64(b + n - 8);
  if (n >= 4 && n < 8) return load32(a) == load32(b) && load32(a + n - 4) == load32(b + n - 4);
  if (n < 4) {
    for (size_t i = 0; i < n; ++i)
      if (a[i] != b[i]) return false;
    return true;
  }
  return std::memcmp(a, b, n) == 0;
}

}  // namespace

uint64_t Interner::hash(std::string_view s) {
  // Short ids (most) in two overlapping loads, longer ones 8 bytes at a time; then a final
  // avalanche (splitmix64). Not persisted: the cache stores ids, and assign() rebuilds the slots.
  const char* p = s.data();
  const size_t n = s.size();
  uint64_t h = 0x9E3779B97F4A7C15ULL ^ (uint64_t(n) * 0xff51afd7ed558ccdULL);
  if (n >= 8 && n <= 16) {
    h ^= load64(p);
    h = (h ^ (h >> 32)) * 0xbf58476d1ce4e5b9ULL;
    h ^= load64(p + n - 8);
  } else if (n >= 4 && n < 8) {
    h ^= uint64_t(load32(p)) | (uint64_t(load32(p + n - 4)) << 32);
  } else if (n < 4) {
    for (size_t i = 0; i < n; ++i) h = (h ^ static_cast<unsigned char>(p[i])) * 1099511628211ULL;
  } else {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      h = (h ^ load64(p + i)) * 1099511628211ULL;
      h ^= h >> 29;
    }
    h ^= load64(p + n - 8);
  }
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 31;
  return h;
}

uint32_t Interner::find(std::string_view s) const {
  for (uint64_t pos = hash(s) & mask_;; pos = (pos + 1) & mask_) {
    uint32_t slot = slots_[pos];
    if (slot == 0) return kNoId;
    if (equals(slot - 1, s)) return slot - 1;
  }
}

uint32_t Interner::intern(std::string_view s) {
  uint64_t pos = hash(s) & mask_;
  for (;; pos = (pos + 1) & mask_) {
    uint32_t slot = slots_[pos];
    if (slot == 0) break;
    if (equals(slot - 1, s)) return slot - 1;
  }
  uint32_t id = size();
  if (id == kNoId - 1) throw InputError("more than 4 billion distinct ids");
  blob_.append(s);
  offsets_.push_back(blob_.size());
  slots_[pos] = id + 1;
  if (uint64_t(size()) * 2 > slots_.size()) grow();
  return id;
}

bool Interner::equals(uint32_t id, std::string_view s) const {
  const uint64_t b = offsets_[id], e = offsets_[id + 1];
  return e - b == s.size() && same_bytes(blob_.data() + b, s.data(), s.size());
}

void Interner::grow() {
  std::vector<uint32_t> slots(slots_.size() * 2, 0);
  uint64_t mask = slots.size() - 1;
  for (uint32_t id = 0; id < size(); ++id) {
    uint64_t pos = hash(name(id)) & mask;
    while (slots[pos] != 0) pos = (pos + 1) & mask;
    slots[pos] = id + 1;
  }
  slots_.swap(slots);
  mask_ = mask;
}

void Interner::assign(std::string blob, std::vector<uint64_t> offsets) {
  if (offsets.empty() || offsets.front() != 0 || offsets.back() != blob.size()) {
    throw IoError("corrupt id table in the binary cache");
  }
  for (size_t i = 1; i < offsets.size(); ++i) {
    if (offsets[i] < offsets[i - 1]) throw IoError("corrupt id table in the binary cache");
  }
  blob_ = std::move(blob);
  offsets_ = std::move(offsets);
  size_t cap = 1024;
  while (cap < uint64_t(size()) * 2 + 2) cap *= 2;
  slots_.assign(cap, 0);
  mask_ = cap - 1;
  for (uint32_t id = 0; id < size(); ++id) {
    uint64_t pos = hash(name(id)) & mask_;
    while (slots_[pos] != 0) pos = (pos + 1) & mask_;
    slots_[pos] = id + 1;
  }
}

}  // namespace dnts::data
