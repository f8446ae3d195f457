#include "support/prometheus_text.hpp"

#include <cstdlib>
#include <limits>
#include <set>
#include <sstream>
#include <stdexcept>

namespace spooled::test {

namespace {

bool isNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':'; }
bool isNameChar(char c) { return isNameStart(c) || (c >= '0' && c <= '9'); }

[[noreturn]] void fail(std::size_t lineNo, const std::string& line, const std::string& why) {
  throw std::runtime_error("line " + std::to_string(lineNo) + ": " + why + ": " + line);
}

double parseValue(const std::string& text, std::size_t lineNo, const std::string& line) {
  if (text == "+Inf") return std::numeric_limits<double>::infinity();
  if (text == "-Inf") return -std::numeric_limits<double>::infinity();
  if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size()) fail(lineNo, line, "bad value '" + text + "'");
  return v;
}

// The family a sample belongs to: histogram samples carry _bucket / _sum / _count suffixes.
std::string familyOf(const std::string& name, const std::map<std::string, std::string>& types) {
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    const std::string s(suffix);
    if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) {
      const std::string base = name.substr(0, name.size() - s.size());
      if (types.count(base) && (types.at(base) == "histogram" || types.at(base) == "summary")) return base;
    }
  }
  return name;
}

PromSample parseSample(const std::string& line, std::size_t lineNo) {
  PromSample sample;
  std::size_t i = 0;
  if (line.empty() || !isNameStart(line[0])) fail(lineNo, line, "expected a metric name");
  while (i < line.size() && isNameChar(line[i])) ++i;
  sample.name = line.substr(0, i);
  if (i < line.size() && line[i] == '{') {
    ++i;
    while (i < line.size() && line[i] != '}') {
      const std::size_t start = i;
      if (!isNameStart(line[i])) fail(lineNo, line, "expected a label name");
      while (i < line.size() && isNameChar(line[i])) ++i;
      const std::string labelName = line.substr(start, i - start);
      if (line.compare(i, 2, "=\"") != 0) fail(lineNo, line, "expected =\" after label " + labelName);
      i += 2;
      std::string value;
      for (;; ++i) {
        if (i >= line.size()) fail(lineNo, line, "unterminated label value");
        if (line[i] == '"') break;
        if (line[i] == '\\') {
          if (++i >= line.size()) fail(lineNo, line, "dangling backslash");
          if (line[i] == 'n') value += '\n';
          else if (line[i] == '\\' || line[i] == '"') value += line[i];
          else fail(lineNo, line, "unknown escape \\" + std::string(1, line[i]));
        } else {
          value += line[i];
        }
      }
      ++i;  // closing quote
      if (!sample.labels.emplace(labelName, value).second) fail(lineNo, line, "duplicate label " + labelName);
      if (i < line.size() && line[i] == ',') ++i;
      else if (i < line.size() && line[i] != '}') fail(lineNo, line, "expected , or }");
    }
    if (i >= line.size()) fail(lineNo, line, "unterminated label set");
    ++i;  // '}'
  }
  if (i >= line.size() || line[i] != ' ') fail(lineNo, line, "expected one space before the value");
  const std::string rest = line.substr(i + 1);
  const std::size_t space = rest.find(' ');  // an optional timestamp may follow
  sample.value = parseValue(rest.substr(0, space), lineNo, line);
  return sample;
}

bool includes(const PromSample& s, const std::map<std::string, std::string>& labels) {
  for (const auto& [k, v] : labels) {
    const auto it = s.labels.find(k);
    if (it == s.labels.end() || it->second != v) return false;
  }
  return true;
}

}  // namespace

std::vector<PromSample> PromText::select(const std::string& name, const std::map<std::string, std::string>& labels) const {
  std::vector<PromSample> out;
  for (const PromSample& s : samples)
    if (s.name == name && includes(s, labels)) out.push_back(s);
  return out;
}

std::optional<double> PromText::value(const std::string& name, const std::map<std::string, std::string>& labels) const {
  const auto found = select(name, labels);
  if (found.empty()) return std::nullopt;
  if (found.size() > 1) throw std::runtime_error(std::to_string(found.size()) + " samples of " + name + " match");
  return found.front().value;
}

double PromText::sum(const std::string& name, const std::map<std::string, std::string>& labels) const {
  double total = 0;
  for (const PromSample& s : select(name, labels)) total += s.value;
  return total;
}

PromText parsePromText(const std::string& text) {
  PromText out;
  std::set<std::string> familiesWithSamples;
  std::istringstream in(text);
  std::string line;
  std::size_t lineNo = 0;
  while (std::getline(in, line)) {
    ++lineNo;
    if (line.empty()) continue;
    if (line[0] == '#') {
      std::istringstream words(line.substr(1));
      std::string keyword, family;
      words >> keyword >> family;
      if (keyword != "HELP" && keyword != "TYPE") continue;  // any other comment is allowed
      if (family.empty()) fail(lineNo, line, "no metric name");
      std::string rest;
      std::getline(words >> std::ws, rest);
      auto& table = keyword == "HELP" ? out.helps : out.types;
      if (!table.emplace(family, rest).second) fail(lineNo, line, "second " + keyword + " for " + family);
      if (keyword == "TYPE" && familiesWithSamples.count(family)) fail(lineNo, line, "TYPE after samples");
      continue;
    }
    PromSample sample = parseSample(line, lineNo);
    familiesWithSamples.insert(familyOf(sample.name, out.types));
    out.samples.push_back(std::move(sample));
  }
  return out;
}

}  // namespace spooled::test
