// RFC 4180 CSV reader/writer over zlib (gzread reads plain files transparently).
#include "dnts/data/csv.h"

#include <zlib.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <unistd.h>

#include "dnts/error.h"

namespace dnts::data {
namespace {
constexpr size_t kChunk = 4 << 20;
constexpr size_t kUnquotedFlag = size_t(1) << 63;
}  // namespace

CsvReader::CsvReader(std::string path) : path_(std::move(path)) {
  gzFile gz = gzopen(path_.c_str(), "rb");
  if (gz == nullptr) throw IoError(fmt::format("{}: cannot open: {}", path_, std::strerror(errno)));
  gzbuffer(gz, 1 << 20);
  gz_ = gz;
  buf_.resize(kChunk);
}

CsvReader::~CsvReader() {
  if (gz_ != nullptr) gzclose(static_cast<gzFile>(gz_));
}

bool CsvReader::refill() {
  if (eof_) return false;
  // Keep the unconsumed tail [begin_, end_) and append new bytes after it.
  if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buf_.size()) buf_.resize(buf_.size() * 2);  // a single record longer than the buffer
  int n = gzread(static_cast<gzFile>(gz_), buf_.data() + end_, static_cast<unsigned>(buf_.size() - end_));
  if (n < 0) {
    int err = 0;
    const char* msg = gzerror(static_cast<gzFile>(gz_), &err);
    throw IoError(fmt::format("{}: read error: {}", path_, msg));
  }
  if (n == 0) {
    int err = Z_OK;
    const char* msg = gzerror(static_cast<gzFile>(gz_), &err);
    if (err != Z_OK && err != Z_STREAM_END) {
      throw IoError(fmt::format("{}: truncated or corrupt gzip data ({}); rows after byte {} are missing", path_, msg,
                                bytes_consumed_));
    }
    eof_ = true;
    return false;
  }
  end_ += static_cast<size_t>(n);
  return true;
}

bool CsvReader::next() {
  for (;;) {
    if (first_) {
      while (end_ - begin_ < 3 && refill()) {
      }
      if (end_ - begin_ >= 3 && std::memcmp(buf_.data() + begin_, "\xEF\xBB\xBF", 3) == 0) {
        begin_ += 3;
        bytes_consumed_ += 3;
      }
      first_ = false;
    }
    // Parse one record starting at begin_. If the buffer ends mid-record, refill and restart.
    spans_.clear();
    unquoted_.clear();
    malformed_.clear();
    size_t pos = begin_;
    int64_t lines_in_record = 0;
    bool complete = false;
    bool need_more = false;
    while (!complete) {
      if (pos >= end_) {
        need_more = true;
        break;
      }
      if (buf_[pos] == '"') {
        // Quoted field: unescape into unquoted_.
        size_t start = unquoted_.size();
        size_t q = pos + 1;
        bool closed = false;
        while (q < end_) {
          char c = buf_[q];
          if (c == '"') {
            if (q + 1 >= end_) break;  // need to see the next byte
            if (buf_[q + 1] == '"') {
              unquoted_.push_back('"');
              q += 2;
              continue;
            }
            closed = true;
            ++q;
            break;
          }
          if (c == '\n') ++lines_in_record;
          unquoted_.push_back(c);
          ++q;
        }
        if (!closed) {
          need_more = true;
          break;
        }
        spans_.emplace_back(start | kUnquotedFlag, unquoted_.size() - start);
        pos = q;
        if (pos >= end_) {
          need_more = true;
          break;
        }
        char c = buf_[pos];
        if (c == ',') {
          ++pos;
          continue;
        }
        if (c == '\r' && pos + 1 < end_ && buf_[pos + 1] == '\n') {
          pos += 2;
          complete = true;
          break;
        }
        if (c == '\r' && pos + 1 >= end_ && !eof_) {
          need_more = true;
          break;
        }
        if (c == '\n' || c == '\r') {
          ++pos;
          complete = true;
          break;
        }
        // Malformed record: remember why, skip to the end of this physical line.
        size_t eol = pos;
        while (eol < end_ && buf_[eol] != '\n') ++eol;
        if (eol >= end_) {
          need_more = true;
          break;
        }
        malformed_ = fmt::format("{}:{}: column {}: unexpected character '{}' after a closing quote (a quote inside a "
                                 "quoted field must be doubled: \"\")",
                                 path_, next_line_ + lines_in_record, spans_.size(), c);
        pos = eol + 1;
        complete = true;
        break;
      }
      // Unquoted field: scan to ',' or end of line.
      size_t q = pos;
      while (q < end_ && buf_[q] != ',' && buf_[q] != '\n') ++q;
      if (q >= end_) {
        need_more = true;
        break;
      }
      size_t len = q - pos;
      bool eol = buf_[q] == '\n';
      if (eol && len > 0 && buf_[q - 1] == '\r') --len;
      spans_.emplace_back(pos, len);
      pos = q + 1;
      if (eol) complete = true;
    }
    if (need_more) {
      if (refill()) continue;
      // End of file: a final record without a trailing newline.
      if (begin_ >= end_) return false;
      if (virtual_eol_) {
        // Even with a newline appended the record does not end: a quote opened and never closed.
        throw InputError(fmt::format("{}:{}: column {}: unterminated quoted field (the quote opened here is never "
                                     "closed before the end of the file)",
                                     path_, next_line_, spans_.size() + 1));
      }
      // Append a virtual newline once and parse again.
      virtual_eol_ = true;
      if (end_ == buf_.size()) buf_.resize(buf_.size() + 1);
      buf_[end_++] = '\n';
      eof_ = true;
      continue;
    }
    record_line_ = next_line_;
    next_line_ += 1 + lines_in_record;
    bytes_consumed_ += pos - begin_;
    const char* base = buf_.data();
    fields_.clear();
    for (auto [off, len] : spans_) {
      if (off & kUnquotedFlag) {
        fields_.emplace_back(unquoted_.data() + (off & ~kUnquotedFlag), len);
      } else {
        fields_.emplace_back(base + off, len);
      }
    }
    begin_ = pos;
    // Skip blank lines.
    if (fields_.size() == 1 && fields_[0].empty() && !(spans_[0].first & kUnquotedFlag)) continue;
    return true;
  }
}

// ---------------------------------------------------------------------------------------------

CsvWriter::CsvWriter(std::string path) : path_(std::move(path)), tmp_path_(temp_path_for(path_)) {
  bool gzip = path_.size() > 3 && path_.compare(path_.size() - 3, 3, ".gz") == 0;
  if (gzip) {
    gzFile gz = gzopen(tmp_path_.c_str(), "wb6");
    if (gz == nullptr) throw IoError(fmt::format("{}: cannot create: {}", path_, std::strerror(errno)));
    gz_ = gz;
  } else {
    FILE* f = std::fopen(tmp_path_.c_str(), "wb");
    if (f == nullptr) throw IoError(fmt::format("{}: cannot create: {}", path_, std::strerror(errno)));
    file_ = f;
  }
  buf_.reserve(1 << 20);
}

CsvWriter::~CsvWriter() {
  try {
    close();
  } catch (...) {
  }
}

void CsvWriter::append_field(std::string& out, std::string_view value) {
  bool needs_quote = value.find_first_of(",\"\r\n") != std::string_view::npos;
  if (!needs_quote) {
    out.append(value);
    return;
  }
  out.push_back('"');
  for (char c : value) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

void CsvWriter::field(std::string_view value) {
  if (!row_start_) buf_.push_back(',');
  append_field(buf_, value);
  row_start_ = false;
}

void CsvWriter::field(int64_t value) {
  if (!row_start_) buf_.push_back(',');
  fmt::format_to(std::back_inserter(buf_), "{}", value);
  row_start_ = false;
}

void CsvWriter::field(double value) {
  if (!row_start_) buf_.push_back(',');
  fmt::format_to(std::back_inserter(buf_), "{}", value);  // shortest round-trip representation
  row_start_ = false;
}

void CsvWriter::end_row() {
  buf_.push_back('\n');
  row_start_ = true;
  if (buf_.size() >= (1 << 20)) flush();
}

void CsvWriter::raw(std::string_view text) {
  buf_.append(text);
  if (buf_.size() >= (1 << 20)) flush();
}

void CsvWriter::flush() {
  if (buf_.empty()) return;
  if (gz_ != nullptr) {
    int n = gzwrite(static_cast<gzFile>(gz_), buf_.data(), static_cast<unsigned>(buf_.size()));
    if (n != static_cast<int>(buf_.size())) throw IoError(fmt::format("{}: write failed", tmp_path_));
  } else if (std::fwrite(buf_.data(), 1, buf_.size(), static_cast<FILE*>(file_)) != buf_.size()) {
    throw IoError(fmt::format("{}: write failed: {}", tmp_path_, std::strerror(errno)));
  }
  buf_.clear();
}

void CsvWriter::close() {
  if (closed_) return;
  closed_ = true;
  flush();
  if (gz_ != nullptr) {
    if (gzclose(static_cast<gzFile>(gz_)) != Z_OK) throw IoError(fmt::format("{}: close failed", tmp_path_));
  } else if (file_ != nullptr) {
    if (std::fclose(static_cast<FILE*>(file_)) != 0) throw IoError(fmt::format("{}: close failed", tmp_path_));
  }
  if (std::rename(tmp_path_.c_str(), path_.c_str()) != 0) {
    throw IoError(fmt::format("{}: cannot rename into place: {}", path_, std::strerror(errno)));
  }
}

std::string temp_path_for(const std::string& path) {
  static std::atomic<uint64_t> counter{0};
  return fmt::format("{}.tmp.{}.{}", path, getpid(), counter++);
}

void write_file_atomic(const std::string& path, std::string_view text) {
  CsvWriter w(path);  // plain or .gz by extension, temporary file + rename
  w.raw(text);
  w.close();
}

void check_output_path(const std::string& path) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (parent.empty()) parent = ".";
  if (!std::filesystem::is_directory(parent)) {
    throw IoError(fmt::format("{}: cannot write: folder '{}' does not exist", path, parent.string()));
  }
  if (access(parent.c_str(), W_OK) != 0) {
    throw IoError(fmt::format("{}: cannot write: folder '{}' is not writable", path, parent.string()));
  }
}

}  // namespace dnts::data
