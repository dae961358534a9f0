#include "dnts/progress.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <mutex>

#include <fmt/format.h>

namespace dnts {
namespace {
std::atomic<bool> g_enabled{true};
std::mutex g_mutex;

std::string human_duration(double s) {
  if (s < 0 || s > 1e7) return "?";
  if (s < 60) return fmt::format("{:.1f}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", int(s) / 60, int(s) % 60);
  return fmt::format("{}h{:02}m", int(s) / 3600, (int(s) % 3600) / 60);
}
}  // namespace

Progress::Progress(std::string label, int64_t total, std::string unit)
    : label_(std::move(label)), unit_(std::move(unit)), total_(total), tty_(isatty(2) != 0) {
  start_ = last_draw_ = std::chrono::steady_clock::now();
}

Progress::~Progress() { finish(); }

void Progress::set_enabled(bool enabled) { g_enabled = enabled; }

void Progress::add(int64_t n) {
  std::lock_guard<std::mutex> lock(g_mutex);
  done_ += n;
  auto now = std::chrono::steady_clock::now();
  double since = std::chrono::duration<double>(now - last_draw_).count();
  double elapsed = std::chrono::duration<double>(now - start_).count();
  // Quiet for work that ends within a second; then redraw a few times a second (every 5 s to a log).
  if (elapsed >= 1.0 && since >= (tty_ ? 0.2 : 5.0)) {
    drawn_ = true;
    last_draw_ = now;
    draw(false);
  }
}

void Progress::set_note(std::string note) {
  std::lock_guard<std::mutex> lock(g_mutex);
  note_ = std::move(note);
}

void Progress::finish() {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (finished_) return;
  finished_ = true;
  if (drawn_) draw(true);
}

void Progress::draw(bool final) {
  if (!g_enabled) return;
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  double rate = elapsed > 0 ? double(done_) / elapsed : 0.0;
  std::string line;
  if (final) {
    line = fmt::format("{}: {} {} in {} ({:.0f} {}/s)", label_, done_, unit_, human_duration(elapsed), rate, unit_);
  } else if (total_ > 0) {
    double eta = rate > 0 ? double(total_ - done_) / rate : -1;
    line = fmt::format("{}: {}/{} {} ({:.1f}%) {:.0f} {}/s, ETA {}", label_, done_, total_, unit_,
                       100.0 * double(done_) / double(total_), rate, unit_, human_duration(eta));
  } else {
    line = fmt::format("{}: {} {} {:.0f} {}/s", label_, done_, unit_, rate, unit_);
  }
  if (!note_.empty()) line += "  " + note_;
  if (tty_) {
    std::fprintf(stderr, "\r\033[K%s%s", line.c_str(), final ? "\n" : "");
  } else {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  std::fflush(stderr);
}

}  // namespace dnts
