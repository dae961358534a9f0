#include "dnts/data/time.h"

#include <cctype>
#include <charconv>
#include <cstring>

#include "dnts/error.h"

namespace dnts::data {

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

namespace {

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

unsigned days_in_month(int64_t y, unsigned m) {
  static const unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return (m == 2 && leap) ? 29 : kDays[m - 1];
}

// Parses "+HH:MM", "+HHMM", "+HH" (and '-') at the whole of `s`. Returns false if malformed.
bool parse_offset(std::string_view s, int32_t& out) {
  if (s.empty() || (s[0] != '+' && s[0] != '-')) return false;
  int sign = s[0] == '-' ? -1 : 1;
  int hh = 0, mm = 0;
  if (!digits(s, 1, 2, hh)) return false;
  if (s.size() == 3) {
  } else if (s.size() == 6 && s[3] == ':') {
    if (!digits(s, 4, 2, mm)) return false;
  } else if (s.size() == 5) {
    if (!digits(s, 3, 2, mm)) return false;
  } else {
    return false;
  }
  if (hh > 18 || mm > 59) return false;
  out = sign * (hh * 3600 + mm * 60);
  return true;
}

}  // namespace

TimeZone TimeZone::parse(std::string_view text) {
  TimeZone tz;
  if (text == "UTC" || text == "Z" || text == "utc" || text == "GMT") return tz;
  std::string_view rest = text;
  if (rest.size() > 3 && (rest.substr(0, 3) == "UTC" || rest.substr(0, 3) == "GMT")) rest.remove_prefix(3);
  if (parse_offset(rest, tz.offset_s)) return tz;
  // "UTC+8" / "UTC-5" (one digit hour).
  if (rest.size() == 2 && (rest[0] == '+' || rest[0] == '-') && std::isdigit(static_cast<unsigned char>(rest[1]))) {
    tz.offset_s = (rest[0] == '-' ? -1 : 1) * (rest[1] - '0') * 3600;
    return tz;
  }
  throw ConfigError(fmt::format(
      "--tz '{}': expected a fixed UTC offset such as UTC, +08:00, -05:30 or UTC+8 (zones with "
      "daylight saving are not supported: calendar buckets must have a fixed width)",
      text));
}

std::string TimeZone::to_string() const {
  if (offset_s == 0) return "UTC";
  int32_t a = offset_s < 0 ? -offset_s : offset_s;
  return fmt::format("{}{:02}:{:02}", offset_s < 0 ? '-' : '+', a / 3600, (a % 3600) / 60);
}

namespace {

// The common shapes "YYYY-MM-DD", "YYYY-MM-DD[T ]HH:MM:SS" and "YYYY-MM-DDTHH:MM:SSZ", with the
// day number of the last date seen cached per thread (logs repeat a date many times in a row).
// kOtherShape when `s` has another shape; then the general parser decides (same results).
enum class Common { kOk, kInvalid, kOtherShape };
Common parse_common_timestamp(std::string_view s, const TimeZone& tz, int64_t& out) {
  const size_t n = s.size();
  if (n != 10 && n != 19 && n != 20) return Common::kOtherShape;
  const char* c = s.data();
  if (c[4] != '-' || c[7] != '-') return Common::kOtherShape;
  if (n >= 19 && ((c[10] != 'T' && c[10] != ' ' && c[10] != 't') || c[13] != ':' || c[16] != ':')) {
    return Common::kOtherShape;
  }
  if (n == 20 && c[19] != 'Z' && c[19] != 'z') return Common::kOtherShape;
  static constexpr int kDigitPos[] = {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18};
  const int n_digits = n == 10 ? 8 : 14;
  for (int i = 0; i < n_digits; ++i) {
    if (unsigned(c[kDigitPos[i]]) - '0' > 9) return Common::kOtherShape;
  }
  auto two = [&](int at) { return (c[at] - '0') * 10 + (c[at + 1] - '0'); };
  struct DateCache {
    char date[10] = {};
    int64_t days = 0;
    bool valid = false;
  };
  thread_local DateCache cache;
  int64_t days = 0;
  if (cache.valid && std::memcmp(cache.date, c, 10) == 0) {
    days = cache.days;
  } else {
    const int y = two(0) * 100 + two(2), mo = two(5), d = two(8);
    if (mo < 1 || mo > 12 || d < 1 || static_cast<unsigned>(d) > days_in_month(y, static_cast<unsigned>(mo))) {
      return Common::kInvalid;
    }
    days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
    std::memcpy(cache.date, c, 10);
    cache.days = days;
    cache.valid = true;
  }
  if (n == 10) {
    out = days * 86400 - tz.offset_s;
    return Common::kOk;
  }
  int hh = two(11), mi = two(14), ss = two(17);
  if (hh > 23 || mi > 59 || ss > 60) return Common::kInvalid;
  if (ss == 60) ss = 59;
  const int64_t wall = days * 86400 + hh * 3600 + mi * 60 + ss;
  out = n == 20 ? wall : wall - tz.offset_s;
  return Common::kOk;
}

}  // namespace

std::optional<int64_t> parse_timestamp(std::string_view s, const TimeZone& tz) {
  int64_t common = 0;
  switch (parse_common_timestamp(s, tz, common)) {
    case Common::kOk: return common;
    case Common::kInvalid: return std::nullopt;
    case Common::kOtherShape: break;
  }
  // Trim surrounding spaces.
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (s.empty()) return std::nullopt;
  // Integer Unix seconds.
  bool all_digits = true;
  for (size_t i = (s[0] == '-' ? 1 : 0); i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') {
      all_digits = false;
      break;
    }
  }
  if (all_digits && s.size() == 8) {
    // "20260101" reads as a date in most logs, not as 1970-08-23: refuse rather than guess.
    return std::nullopt;
  }
  if (all_digits && s != "-") {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    if (v < -62135596800LL || v > 253402300799LL) return std::nullopt;  // years 1..9999
    return v;
  }
  int y = 0, mo = 0, d = 0;
  if (s.size() < 10 || !digits(s, 0, 4, y) || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d)) {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || static_cast<unsigned>(d) > days_in_month(y, static_cast<unsigned>(mo))) {
    return std::nullopt;
  }
  int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  if (s.size() == 10) return days * 86400 - tz.offset_s;
  char sep = s[10];
  if (sep != ' ' && sep != 'T' && sep != 't') return std::nullopt;
  int hh = 0, mi = 0, ss = 0;
  if (!digits(s, 11, 2, hh) || s.size() < 16 || s[13] != ':' || !digits(s, 14, 2, mi)) return std::nullopt;
  size_t pos = 16;
  if (pos < s.size() && s[pos] == ':') {
    if (!digits(s, pos + 1, 2, ss)) return std::nullopt;
    pos += 3;
    if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
      ++pos;
      size_t start = pos;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
      if (pos == start) return std::nullopt;
    }
  }
  if (hh > 23 || mi > 59 || ss > 60) return std::nullopt;  // 60: leap second, folded below
  if (ss == 60) ss = 59;
  int64_t wall = days * 86400 + hh * 3600 + mi * 60 + ss;
  std::string_view zone = s.substr(pos);
  if (zone.empty()) return wall - tz.offset_s;
  if (zone == "Z" || zone == "z") return wall;
  int32_t off = 0;
  if (sep == ' ' && zone.front() == ' ') zone.remove_prefix(1);
  if (!parse_offset(zone, off)) return std::nullopt;
  return wall - off;
}

std::string format_timestamp(int64_t unix_s, const TimeZone& tz) {
  int64_t local = unix_s + tz.offset_s;
  int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
  int64_t sod = local - days * 86400;
  int64_t y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(days, y, m, d);
  std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", y, m, d, sod / 3600, (sod % 3600) / 60, sod % 60);
  out += tz.offset_s == 0 ? std::string("Z") : tz.to_string();
  return out;
}

int64_t TimeAxis::parse_width(std::string_view text, std::string_view option) {
  int64_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  std::string_view unit(p, static_cast<size_t>(text.data() + text.size() - p));
  int64_t mult = 0;
  if (unit == "s") mult = 1;
  else if (unit == "m" || unit == "min") mult = 60;
  else if (unit == "h") mult = 3600;
  else if (unit == "d") mult = 86400;
  else if (unit == "w") mult = 7 * 86400;
  if (ec != std::errc() || p == text.data() || n <= 0 || mult == 0 || n > 3650 * 86400 / mult) {
    throw ConfigError(fmt::format("{} '{}': expected a positive bucket width such as 1h, 6h, 1d or 7d",
                                  option, text));
  }
  int64_t w = n * mult;
  if (w < 86400 && 86400 % w != 0) {
    throw ConfigError(fmt::format("{} '{}': a sub-day bucket width must divide 24h (e.g. 1h, 2h, 6h, 30m)",
                                  option, text));
  }
  if (w > 86400 && w % 86400 != 0) {
    throw ConfigError(fmt::format("{} '{}': a bucket wider than a day must be whole days", option, text));
  }
  return w;
}

std::string TimeAxis::width_to_string(int64_t w) {
  if (w % 86400 == 0) return fmt::format("{}d", w / 86400);
  if (w % 3600 == 0) return fmt::format("{}h", w / 3600);
  if (w % 60 == 0) return fmt::format("{}m", w / 60);
  return fmt::format("{}s", w);
}

std::string TimeAxis::label(int64_t bucket) const {
  int64_t start = bucket_start(bucket);
  if (whole_days()) {
    int64_t local = start + tz.offset_s;
    int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    int64_t y = 0;
    unsigned m = 0, d = 0;
    civil_from_days(days, y, m, d);
    return fmt::format("{:04}-{:02}-{:02}", y, m, d);
  }
  return format_timestamp(start, tz);
}

}  // namespace dnts::data
