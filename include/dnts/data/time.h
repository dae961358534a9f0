// Timestamps and time buckets. The engine stores every event time as Unix seconds (UTC) and cuts time
// into buckets of a configured width (1h, 6h, 1d, 7d, ...) in a fixed-offset time zone. Nothing
// downstream assumes a day.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dnts::data {

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
/// Inverse of days_from_civil.
void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d);

/// A fixed UTC offset. Accepts "UTC", "Z", "+08:00", "-0530", "UTC+8", "UTC-05:30".
/// IANA names with daylight saving (e.g. "Europe/Paris") are rejected: calendar buckets would not
/// have a fixed width; give the fixed offset instead.
struct TimeZone {
  int32_t offset_s = 0;
  static TimeZone parse(std::string_view text);  // throws ConfigError
  std::string to_string() const;                 // "+08:00", "UTC" for 0
};

/// Parses one timestamp. Forms: "YYYY-MM-DD" (midnight in `tz`), "YYYY-MM-DD HH:MM[:SS[.fff]]"
/// (wall time in `tz`), ISO 8601 "YYYY-MM-DDTHH:MM[:SS[.fff]]" with "Z" or "+HH:MM"/"+HHMM"/"+HH"
/// (absolute; without an offset it is wall time in `tz`), or integer Unix seconds (absolute).
/// Fractional seconds are floored. Returns nullopt when the text is none of these or out of range.
std::optional<int64_t> parse_timestamp(std::string_view text, const TimeZone& tz);

/// Formats Unix seconds as ISO 8601 in `tz` ("2026-01-01T08:00:00+08:00", or "...Z" at UTC).
std::string format_timestamp(int64_t unix_s, const TimeZone& tz);

/// The time axis: bucket width and zone. Buckets are aligned to local midnight of 1970-01-01, or to
/// Monday 1970-01-05 when the width is a whole number of weeks (so "7d" buckets are ISO weeks).
struct TimeAxis {
  int64_t width_s = 86400;
  TimeZone tz;

  /// Parses "1d", "6h", "30m", "90s", "2w" (w = 7d). Throws ConfigError naming `option` if malformed.
  static int64_t parse_width(std::string_view text, std::string_view option = "--bucket");
  static std::string width_to_string(int64_t width_s);

  int64_t anchor_s() const { return (width_s % (7 * 86400) == 0) ? 4 * 86400 : 0; }
  /// Global bucket index of a Unix time (floor division, valid before 1970 too).
  int64_t bucket_of(int64_t unix_s) const {
    int64_t local = unix_s + tz.offset_s - anchor_s();
    int64_t q = local / width_s;
    return (local % width_s < 0) ? q - 1 : q;
  }
  /// Unix time of the start of a global bucket.
  int64_t bucket_start(int64_t bucket) const { return bucket * width_s + anchor_s() - tz.offset_s; }
  /// Label of a bucket's start: "YYYY-MM-DD" for whole-day widths, ISO 8601 date-time otherwise.
  std::string label(int64_t bucket) const;
  bool whole_days() const { return width_s % 86400 == 0; }
};

}  // namespace dnts::data
