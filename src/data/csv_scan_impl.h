// Private: the in-memory CSV fast path. A plain file is mapped whole (no copy through a stream
// buffer); a file without any quote character is one physical line per record, so it can be cut at
// newlines into chunks that threads parse independently. Quoted or gzip files take CsvReader.
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace dnts::data {

/// A whole file's bytes: memory-mapped read-only (page cache, no copy), or read into a buffer when
/// the file cannot be mapped (a pipe, a special file).
class MappedFile {
 public:
  /// Throws IoError "<path>: cannot open: <reason>".
  explicit MappedFile(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  std::string_view bytes() const { return {data_, size_}; }
  /// True when the file starts with the gzip magic bytes (gzopen would decompress it).
  bool gzip() const { return size_ >= 2 && uint8_t(data_[0]) == 0x1f && uint8_t(data_[1]) == 0x8b; }

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
  bool mapped_ = false;
  std::string owned_;
};

/// Cursor over the physical lines of [begin, end) of a quote-free CSV text, with CsvReader's rules:
/// LF or CRLF, one trailing CR dropped, a blank line skipped, the last line may lack its newline.
/// Delimiters are found 16 bytes at a time (SSE2) where available.
struct LineCursor {
  const char* pos = nullptr;
  const char* end = nullptr;
  int64_t line = 0;               ///< physical line number of the record returned by the last next()
  int64_t next_line = 1;          ///< physical line number of `pos`
  const char* record = nullptr;   ///< start of the last record returned
  bool quote = false;             ///< set when any '"' was seen: the caller must use CsvReader

  /// Splits the next non-blank line into `fields`; false at the end of the range.
  bool next(std::vector<std::string_view>& fields) {
    for (;;) {
      if (pos >= end) return false;
      record = pos;
      line = next_line++;
      fields.clear();
      const char* field = pos;
      const char* line_end = scan(fields, field);
      if (line_end > field && line_end[-1] == '\r') --line_end;
      if (fields.empty() && line_end == record) continue;  // blank line
      fields.emplace_back(field, size_t(line_end - field));
      return true;
    }
  }

 private:
  // One delimiter: a comma ends a field, a quote is flagged; true at the newline.
  bool on_delimiter(const char* q, std::vector<std::string_view>& fields, const char*& field) {
    const char c = *q;
    if (c == ',') {
      fields.emplace_back(field, size_t(q - field));
      field = q + 1;
      return false;
    }
    if (c == '"') {
      quote = true;
      return false;
    }
    return true;
  }

  // Splits the line at `pos` up to its newline (or the end); returns where the line's text ends
  // and moves `pos` past the newline.
  const char* scan(std::vector<std::string_view>& fields, const char*& field) {
    const char* p = pos;
#if defined(__SSE2__)
    const __m128i comma = _mm_set1_epi8(','), newline = _mm_set1_epi8('\n'), dquote = _mm_set1_epi8('"');
    for (; end - p >= 16; p += 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      unsigned mask = unsigned(_mm_movemask_epi8(_mm_or_si128(
          _mm_or_si128(_mm_cmpeq_epi8(v, comma), _mm_cmpeq_epi8(v, newline)), _mm_cmpeq_epi8(v, dquote))));
      while (mask != 0) {
        const char* q = p + __builtin_ctz(mask);
        mask &= mask - 1;
        if (on_delimiter(q, fields, field)) {
          pos = q + 1;
          return q;
        }
      }
    }
#endif
    for (; p < end; ++p) {
      if ((*p == ',' || *p == '\n' || *p == '"') && on_delimiter(p, fields, field)) {
        pos = p + 1;
        return p;
      }
    }
    pos = end;
    return end;
  }
};

/// Cuts [begin, end) into `n` ranges that start at line starts (each after a '\n'); some may be
/// empty. Returns n + 1 boundaries.
std::vector<const char*> split_at_lines(const char* begin, const char* end, int n);

/// Runs fn(0) .. fn(n - 1) on n threads (fn(0) on the calling one); rethrows the first exception.
void run_parallel(int n, const std::function<void(int)>& fn);

/// Worker count for parsing `bytes` of text: `threads` when > 0, else the hardware concurrency with
/// at least 8 MiB per worker.
int parse_workers(size_t bytes, int threads);

}  // namespace dnts::data
