#pragma once
// Human output: a table with aligned columns (cells may carry ANSI colour, which does not count
// toward the width), or key/value lines for one object. Piped output stays plain: colour is decided
// by CliContext::paint before cells get here.
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

namespace spooled::cli {

class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  bool empty() const { return rows_.empty(); }
  // Headers in bold when `bold`; columns separated by two spaces; no trailing blanks.
  void print(std::ostream& out, bool bold) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

// "key:   value" lines, keys padded to the longest.
void printFields(std::ostream& out, const std::vector<std::pair<std::string, std::string>>& fields);

// Characters a terminal shows for `text` (ANSI escape sequences skipped, UTF-8 sequences count 1).
std::size_t visibleWidth(const std::string& text);

// Shortens text to `width` visible characters with a trailing "…" (plain text only).
std::string ellipsize(const std::string& text, std::size_t width);

}  // namespace spooled::cli
