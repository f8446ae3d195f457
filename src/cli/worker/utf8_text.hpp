#pragma once
// A program's output is bytes; a job's result and error are JSON strings, which must be UTF-8
// (nlohmann::json refuses to serialize anything else). Invalid sequences, including one cut short
// by an output cap, become U+FFFD.
#include <string>
#include <string_view>

namespace spooled::cli {

std::string toValidUtf8(std::string_view bytes);

}  // namespace spooled::cli
