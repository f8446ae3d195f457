#include "report.hpp"

#include <iomanip>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

namespace spooled::bench {

namespace {

constexpr int kLabelWidth = 30;

std::string scalarText(const Report& value) {
  if (value.is_null()) return "n/a";
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_float()) {
    std::ostringstream text;
    const double number = value.get<double>();
    text << std::fixed << std::setprecision(number >= 100 ? 0 : 3) << number;
    return text.str();
  }
  return value.dump();
}

// {"count": 200, "p50": 1.2, ...} -> "p50 1.200  p95 ...  (n=200)"
std::string objectText(const Report& object) {
  std::string text;
  std::string count;
  for (const auto& [key, value] : object.items()) {
    if (key == "count") {
      count = "  (n=" + scalarText(value) + ")";
      continue;
    }
    if (!text.empty()) text += "  ";
    text += key + " " + (value.is_object() ? "{" + objectText(value) + "}" : scalarText(value));
  }
  return text + count;
}

void printRows(const Report& rows, std::ostream& out) {
  for (const Report& row : rows) {
    out << "    -";
    for (const auto& [key, value] : row.items())
      out << "  " << key << ": " << (value.is_object() ? objectText(value) : scalarText(value));
    out << "\n";
  }
}

}  // namespace

void printTable(const Report& report, std::ostream& out) {
  for (const auto& [key, value] : report.items()) {
    out << "  " << std::left << std::setw(kLabelWidth) << key << " ";
    if (value.is_array()) {
      out << "\n";
      printRows(value, out);
    } else if (value.is_object()) {
      out << objectText(value) << "\n";
    } else {
      out << scalarText(value) << "\n";
    }
  }
}

}  // namespace spooled::bench
