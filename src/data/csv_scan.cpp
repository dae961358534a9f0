// In-memory CSV fast path: whole-file mapping and newline-aligned chunks (csv_scan_impl.h).
#include "data/csv_scan_impl.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <exception>
#include <mutex>
#include <thread>

#include "dnts/error.h"

namespace dnts::data {

MappedFile::MappedFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw IoError(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    // Not MAP_POPULATE: the page-table work then happens on first touch, in the parse workers, in
    // parallel, instead of up front on one thread.
    void* p = ::mmap(nullptr, size_t(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
    if (p != MAP_FAILED) {
      data_ = static_cast<const char*>(p);
      size_ = size_t(st.st_size);
      mapped_ = true;
      ::close(fd);
      return;
    }
  }
  // Not mappable (empty, a pipe, a special file): read it.
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      throw IoError(fmt::format("{}: read error: {}", path, std::strerror(err)));
    }
    if (n == 0) break;
    owned_.append(buf, size_t(n));
  }
  ::close(fd);
  data_ = owned_.data();
  size_ = owned_.size();
}

MappedFile::~MappedFile() {
  if (mapped_) ::munmap(const_cast<char*>(data_), size_);
}

std::vector<const char*> split_at_lines(const char* begin, const char* end, int n) {
  std::vector<const char*> cut(size_t(n) + 1, end);
  cut[0] = begin;
  const size_t total = size_t(end - begin);
  for (int k = 1; k < n; ++k) {
    const char* p = std::max(cut[size_t(k) - 1], begin + total / size_t(n) * size_t(k));
    if (p > begin && p < end && p[-1] != '\n') {
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', size_t(end - p)));
      p = nl != nullptr ? nl + 1 : end;
    }
    cut[size_t(k)] = p;
  }
  return cut;
}

void run_parallel(int n, const std::function<void(int)>& fn) {
  if (n <= 1) {
    if (n == 1) fn(0);
    return;
  }
  std::exception_ptr error;
  std::mutex mu;
  auto guarded = [&](int k) {
    try {
      fn(k);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mu);
      if (!error) error = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(size_t(n) - 1);
  for (int k = 1; k < n; ++k) pool.emplace_back(guarded, k);
  guarded(0);
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

int parse_workers(size_t bytes, int threads) {
  if (threads > 0) return threads;
  int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return static_cast<int>(std::clamp<size_t>(bytes / (8u << 20), 1, size_t(hw)));
}

}  // namespace dnts::data
