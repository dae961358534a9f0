// RFC 4180 CSV reading and writing, plain or gzip (".gz") files.
// The reader yields records as string views into its own buffer and tracks the physical line number
// of every record, so callers can name file, line and column in their error messages.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace dnts::data {

/// Streaming CSV reader: UTF-8 BOM skipped, LF or CRLF, quoted fields with "" escapes and embedded
/// newlines. A `.gz` file (detected by its magic bytes) is decompressed on the fly.
///
/// Example:
///   CsvReader r("orders.csv");
///   while (r.next()) { auto item = r.field(0); ... r.line(); }
class CsvReader {
 public:
  explicit CsvReader(std::string path);
  ~CsvReader();
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  /// Reads the next record; false at end of file. Blank lines are skipped.
  bool next();
  /// Fields of the current record (valid until the next call to next()).
  size_t num_fields() const { return fields_.size(); }
  std::string_view field(size_t i) const { return fields_[i]; }
  /// Physical line (1-based) where the current record starts.
  int64_t line() const { return record_line_; }
  const std::string& path() const { return path_; }
  /// Non-empty when the current record is malformed (e.g. a character after a closing quote): the
  /// message names file, line and column; the record's fields are not meaningful.
  const std::string& malformed() const { return malformed_; }
  /// Bytes of (decompressed) input consumed so far.
  uint64_t bytes_read() const { return bytes_consumed_; }

 private:
  bool refill();
  std::string path_;
  void* gz_ = nullptr;
  std::vector<char> buf_;
  size_t begin_ = 0, end_ = 0;
  bool eof_ = false;
  bool first_ = true;
  bool virtual_eol_ = false;
  std::string malformed_;
  int64_t next_line_ = 1;
  int64_t record_line_ = 0;
  uint64_t bytes_consumed_ = 0;
  std::vector<std::string_view> fields_;
  std::string unquoted_;  // storage for fields that needed unescaping
  std::vector<std::pair<size_t, size_t>> spans_;  // (offset, len) into buf_ or unquoted_ (flag bit)
};

/// Buffered CSV writer; gzip-compressed when the path ends with ".gz". Fields are quoted only when
/// they contain a comma, quote, CR or LF. Writes go to `path + ".tmp"` and are renamed on close(),
/// so a crash never leaves a half-written file under the final name.
class CsvWriter {
 public:
  explicit CsvWriter(std::string path);
  ~CsvWriter();
  CsvWriter(const CsvWriter&) = delete;
  CsvWriter& operator=(const CsvWriter&) = delete;

  void field(std::string_view value);
  void field(int64_t value);
  void field(double value);
  void end_row();
  /// Appends pre-formatted, already valid CSV text (used by parallel producers).
  void raw(std::string_view text);
  /// Flushes, closes and renames into place. Called by the destructor if not called before.
  void close();
  /// Quotes `value` per RFC 4180 if needed and appends it to `out`.
  static void append_field(std::string& out, std::string_view value);

 private:
  void flush();
  std::string path_, tmp_path_;
  void* gz_ = nullptr;
  void* file_ = nullptr;
  std::string buf_;
  bool row_start_ = true;
  bool closed_ = false;
};

/// A temporary name beside `path`, unique to this process and call: concurrent writers of the same
/// file never share a temporary (the last rename wins, each file complete).
std::string temp_path_for(const std::string& path);

/// Writes `text` to `path` atomically (temporary file + rename). Throws IoError naming `path`.
void write_file_atomic(const std::string& path, std::string_view text);

/// Throws IoError naming `path` when its folder does not exist or is not writable: lets a command
/// fail before long work rather than after it.
void check_output_path(const std::string& path);

}  // namespace dnts::data
