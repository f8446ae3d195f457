#pragma once
// A strict reader of the Prometheus text exposition format (0.0.4) for tests: every line must be a
// comment (# HELP / # TYPE / other) or `name{label="value",...} value`, or parsing throws
// std::runtime_error naming the line. Lets tests ask for one sample's value by name and labels.
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace spooled::test {

struct PromSample {
  std::string name;
  std::map<std::string, std::string> labels;  // values unescaped
  double value = 0;
};

struct PromText {
  std::vector<PromSample> samples;
  std::map<std::string, std::string> types;  // family name -> counter | gauge | histogram | ...
  std::map<std::string, std::string> helps;  // family name -> help text, as written (escaped)

  // The value of the one sample with this name whose labels include all of `labels`; nullopt when
  // none does. Throws when several do (the test asked an ambiguous question).
  std::optional<double> value(const std::string& name, const std::map<std::string, std::string>& labels = {}) const;
  // Sum over every sample with this name whose labels include all of `labels` (0 when none).
  double sum(const std::string& name, const std::map<std::string, std::string>& labels = {}) const;
  // Every sample with this name whose labels include all of `labels`, in text order.
  std::vector<PromSample> select(const std::string& name, const std::map<std::string, std::string>& labels = {}) const;
};

// Throws std::runtime_error("line N: ...") on the first line that breaks the format, on a family
// with more than one HELP or TYPE line, and on a TYPE line that comes after the family's samples.
PromText parsePromText(const std::string& text);

}  // namespace spooled::test
