#include "dnts/data/interner.h"

#include <cstring>

#include "dnts/error.h"

namespace dnts::data {

Interner::Interner() : offsets_{0}, slots_(1024, 0), mask_(1023) {}

uint64_t Interner::hash(std::string_view s) {
  // FNV-1a over 8-byte words, then a final avalanche (splitmix64): fast and good enough for ids.
  uint64_t h = 1469598103934665603ULL ^ s.size();
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = (h ^ w) * 1099511628211ULL;
    h ^= h >> 29;
  }
  for (; i < s.size(); ++i) h = (h ^ static_cast<unsigned char>(s[i])) * 1099511628211ULL;
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
    if (name(slot - 1) == s) return slot - 1;
  }
}

uint32_t Interner::intern(std::string_view s) {
  uint64_t pos = hash(s) & mask_;
  for (;; pos = (pos + 1) & mask_) {
    uint32_t slot = slots_[pos];
    if (slot == 0) break;
    if (name(slot - 1) == s) return slot - 1;
  }
  uint32_t id = size();
  if (id == kNoId - 1) throw InputError("more than 4 billion distinct ids");
  blob_.append(s);
  offsets_.push_back(blob_.size());
  slots_[pos] = id + 1;
  if (uint64_t(size()) * 2 > slots_.size()) grow();
  return id;
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
