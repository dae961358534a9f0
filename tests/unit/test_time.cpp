#include <gtest/gtest.h>

#include "dnts/data/time.h"
#include "dnts/error.h"

using namespace dnts::data;

TEST(Time, ParsesEveryDocumentedForm) {
  TimeZone utc;
  EXPECT_EQ(*parse_timestamp("2026-01-02", utc), 1767312000);
  EXPECT_EQ(*parse_timestamp("2026-01-02 03:04:05", utc), 1767312000 + 3 * 3600 + 4 * 60 + 5);
  EXPECT_EQ(*parse_timestamp("2026-01-02T03:04:05Z", utc), 1767312000 + 11045);
  EXPECT_EQ(*parse_timestamp("2026-01-02T03:04:05.999Z", utc), 1767312000 + 11045);
  EXPECT_EQ(*parse_timestamp("2026-01-02T11:04:05+08:00", utc), 1767312000 + 11045);
  EXPECT_EQ(*parse_timestamp("2026-01-02T11:04:05+0800", utc), 1767312000 + 11045);
  EXPECT_EQ(*parse_timestamp("2026-01-01T22:04:05-05", utc), 1767312000 + 11045);
  EXPECT_EQ(*parse_timestamp("1767312000", utc), 1767312000);
  EXPECT_EQ(*parse_timestamp("-86400", utc), -86400);
  EXPECT_EQ(*parse_timestamp(" 2026-01-02 ", utc), 1767312000);
}

TEST(Time, NaiveTimesFollowTheZone) {
  TimeZone bj = TimeZone::parse("+08:00");
  EXPECT_EQ(*parse_timestamp("2026-01-02", bj), 1767312000 - 8 * 3600);
  EXPECT_EQ(*parse_timestamp("2026-01-02 08:00:00", bj), 1767312000);
  // Offsets in the text win over the zone; Unix seconds are absolute.
  EXPECT_EQ(*parse_timestamp("2026-01-02T00:00:00Z", bj), 1767312000);
  EXPECT_EQ(*parse_timestamp("1767312000", bj), 1767312000);
}

TEST(Time, RejectsMalformed) {
  TimeZone utc;
  for (const char* bad : {"", "2026-13-01", "2026-02-30", "2026-01-01T25:00:00Z", "2026/01/01", "yesterday",
                          "2026-01-01T10:00:00+25:00", "2026-01-01 10", "12ab", "2026-01-01T10:00:00Zjunk"}) {
    EXPECT_FALSE(parse_timestamp(bad, utc).has_value()) << bad;
  }
  EXPECT_TRUE(parse_timestamp("2024-02-29", utc).has_value());
  EXPECT_FALSE(parse_timestamp("2023-02-29", utc).has_value());
}

TEST(Time, ZonesAndWidths) {
  EXPECT_EQ(TimeZone::parse("UTC").offset_s, 0);
  EXPECT_EQ(TimeZone::parse("UTC+8").offset_s, 8 * 3600);
  EXPECT_EQ(TimeZone::parse("-05:30").offset_s, -(5 * 3600 + 1800));
  EXPECT_EQ(TimeZone::parse("+08:00").to_string(), "+08:00");
  EXPECT_THROW(TimeZone::parse("Europe/Paris"), dnts::ConfigError);
  EXPECT_EQ(TimeAxis::parse_width("1d"), 86400);
  EXPECT_EQ(TimeAxis::parse_width("6h"), 21600);
  EXPECT_EQ(TimeAxis::parse_width("30m"), 1800);
  EXPECT_EQ(TimeAxis::parse_width("1w"), 7 * 86400);
  for (const char* bad : {"0d", "7x", "h", "-1d", "5h", "36h"}) {
    EXPECT_THROW(TimeAxis::parse_width(bad), dnts::ConfigError) << bad;
  }
}

TEST(Time, BucketsAndLabels) {
  TimeAxis day;
  int64_t t = *parse_timestamp("2026-01-02T23:59:59Z", TimeZone{});
  EXPECT_EQ(day.label(day.bucket_of(t)), "2026-01-02");
  EXPECT_EQ(day.bucket_of(-1), -1);  // floor division before 1970
  TimeAxis bj{86400, TimeZone::parse("+08:00")};
  EXPECT_EQ(bj.label(bj.bucket_of(t)), "2026-01-03");  // 07:59:59 next day in UTC+8
  TimeAxis hour{3600, TimeZone::parse("+08:00")};
  EXPECT_EQ(hour.label(hour.bucket_of(t)), "2026-01-03T07:00:00+08:00");
  TimeAxis week{7 * 86400, TimeZone{}};
  EXPECT_EQ(week.label(week.bucket_of(t)), "2025-12-29");  // Monday of that ISO week
  EXPECT_EQ(format_timestamp(0, TimeZone{}), "1970-01-01T00:00:00Z");
  for (int64_t b = -5; b < 5; ++b) EXPECT_EQ(hour.bucket_of(hour.bucket_start(b)), b);
}
