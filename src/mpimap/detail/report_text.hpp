#pragma once
// The small pieces of text that the statistics (stats.cpp) and the trace
// (trace.cpp) both write: JSON strings, durations, byte counts; and the
// statistics' file (--stats-json of map and run).

#include <cstdint>
#include <string>
#include <string_view>

namespace mpimap::detail {

/// A JSON string's contents: quotes, backslashes and control characters
/// escaped (host names and commands are outside text).
std::string json_escaped(std::string_view s);
/// "512 ms", "3.20 s", "41.0 µs": three significant digits.
std::string seconds_text(double s);
/// "812 B", "3.4 KiB", "1.2 GiB".
std::string bytes_text(std::uint64_t b);
/// `text` into the file `path`; throws std::runtime_error naming it.
void write_file(const std::string& path, std::string_view text);

}  // namespace mpimap::detail
