// Test support: run a shell command or the dnts CLI and capture exit code and output (stdout + stderr).
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace dnts::test {

struct ShellResult {
  int code;
  std::string output;
};

inline ShellResult shell(const std::string& cmd) {
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  std::string out;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

/// Runs the built `dnts` with `args`.
inline ShellResult run_cli(const std::string& args) { return shell(std::string(DNTS_CLI_PATH) + " " + args); }

}  // namespace dnts::test
