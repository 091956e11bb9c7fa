// The project's exception types. Library code throws these with a message that
// names the file, node, key or value at fault; the CLI maps them to exit codes
// (DESIGN.md): Error -> 1, InputError -> 2, Interrupted -> 130.
#pragma once

#include <stdexcept>
#include <string>

namespace r4k {

// A failure that is not the user's fault (I/O error, internal inconsistency).
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Bad input or usage: a missing or corrupt file, a value out of range, a model
// that cannot be loaded or cannot take the image.
class InputError : public Error {
 public:
  using Error::Error;
};

// The user asked the job to stop (SIGINT/SIGTERM).
class Interrupted : public Error {
 public:
  Interrupted() : Error("interrupted") {}
};

}  // namespace r4k
