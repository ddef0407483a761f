#pragma once
// Turning item text into numbers, strictly: the whole text must be a number
// that fits; anything else is bad input, never a wrong number.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mpimap::cli {

/// Why `text` is not a value of the wanted kind, or nullopt when it is one.
std::optional<std::string> parse_int(std::string_view text, std::int64_t& out);
std::optional<std::string> parse_real(std::string_view text, double& out);

/// `text` quoted for an error message: "x", with control bytes and bytes that
/// are not UTF-8 escaped as \xNN, and long items shortened.
std::string quote_item(std::string_view text);

}  // namespace mpimap::cli
