#include "cli/table.hpp"

#include <algorithm>
#include <ostream>

namespace spooled::cli {

std::size_t visibleWidth(const std::string& text) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == 0x1b) {  // CSI: ESC [ ... final byte in @..~
      ++i;
      if (i < text.size() && text[i] == '[') {
        while (i + 1 < text.size() && !(text[i + 1] >= '@' && text[i + 1] <= '~')) ++i;
        ++i;
      }
      continue;
    }
    if ((c & 0xC0) != 0x80) ++width;  // count lead bytes only
  }
  return width;
}

std::string ellipsize(const std::string& text, std::size_t width) {
  if (visibleWidth(text) <= width || width == 0) return text;
  std::string out;
  std::size_t shown = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c & 0xC0) != 0x80) {
      if (shown + 1 >= width) break;
      ++shown;
    }
    out += text[i];
  }
  return out + "\u2026";
}

void Table::print(std::ostream& out, bool bold) const {
  std::vector<std::size_t> widths(headers_.size(), 0);
  for (std::size_t c = 0; c < headers_.size(); ++c) widths[c] = visibleWidth(headers_[c]);
  for (const auto& row : rows_) {
    for (std::size_t c = 0; c < row.size() && c < widths.size(); ++c) widths[c] = std::max(widths[c], visibleWidth(row[c]));
  }
  auto line = [&](const std::vector<std::string>& cells, bool header) {
    std::string text;
    for (std::size_t c = 0; c < widths.size(); ++c) {
      const std::string cell = c < cells.size() ? cells[c] : "";
      const bool last = c + 1 == widths.size();
      text += header && bold ? "\x1b[1m" + cell + "\x1b[0m" : cell;
      if (!last) text += std::string(widths[c] - visibleWidth(cell) + 2, ' ');
    }
    out << text << "\n";
  };
  line(headers_, true);
  for (const auto& row : rows_) line(row, false);
}

void printFields(std::ostream& out, const std::vector<std::pair<std::string, std::string>>& fields) {
  std::size_t width = 0;
  for (const auto& [key, value] : fields) width = std::max(width, key.size());
  for (const auto& [key, value] : fields) out << key << ":" << std::string(width - key.size() + 2, ' ') << value << "\n";
}

}  // namespace spooled::cli
