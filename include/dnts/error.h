// Error model of the engine: typed exceptions inside the library, converted to exit codes by the CLI.
// DNTS_CHECK guards conditions a user can reach (bad input, bad config); DNTS_ASSERT guards invariants
// (bugs) and stays on in release builds.
#pragma once

#include <stdexcept>
#include <string>

#include <fmt/format.h>

namespace dnts {

/// Base of every error the library throws on purpose.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
  /// Exit code the CLI maps this error to.
  virtual int exit_code() const { return 1; }
};
/// Bad configuration or command-line usage (exit code 2).
class ConfigError : public Error {
 public:
  using Error::Error;
  int exit_code() const override { return 2; }
};
/// Bad input data: message names file, line, column and value (exit code 3).
class InputError : public Error {
 public:
  using Error::Error;
  int exit_code() const override { return 3; }
};
/// Tensor shape contract violated.
class ShapeError : public Error {
 public:
  using Error::Error;
};
/// File system or stream failure (exit code 4).
class IoError : public Error {
 public:
  using Error::Error;
  int exit_code() const override { return 4; }
};
/// A broken invariant: a bug in the engine.
class InternalError : public Error {
 public:
  using Error::Error;
};

}  // namespace dnts

#define DNTS_CHECK(cond, ErrType, ...)                            \
  do {                                                            \
    if (!(cond)) throw ::dnts::ErrType(fmt::format(__VA_ARGS__)); \
  } while (0)

#define DNTS_ASSERT(cond, why)                                                                  \
  do {                                                                                          \
    if (!(cond))                                                                                \
      throw ::dnts::InternalError(fmt::format("internal error at {}:{}: {} ({})", __FILE__, \
                                              __LINE__, #cond, why));                          \
  } while (0)
