// A progress line for long work: done/total, rate and ETA, redrawn at most a few times a second on
// stderr (a plain line per update when stderr is not a terminal, at most every few seconds).
// Work that finishes within a second prints nothing.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace dnts {

/// Example:
///   Progress p("simulate", total_items, "items");
///   for (...) { ...; p.add(1); }
///   p.finish();
class Progress {
 public:
  Progress(std::string label, int64_t total, std::string unit);
  ~Progress();
  /// Adds `n` units of done work; thread-safe.
  void add(int64_t n);
  /// Text appended to the line (e.g. current loss terms); thread-safe.
  void set_note(std::string note);
  /// Prints the final line (total time and mean rate).
  void finish();
  /// Globally silences progress output (tests, --quiet).
  static void set_enabled(bool enabled);

 private:
  void draw(bool final);
  std::string label_, unit_, note_;
  int64_t total_;
  int64_t done_ = 0;
  std::chrono::steady_clock::time_point start_, last_draw_;
  bool finished_ = false;
  bool drawn_ = false;
  bool tty_;
};

}  // namespace dnts
