#include "server/http/router.hpp"

#include <algorithm>
#include <stdexcept>

namespace spooled::server {

namespace {

std::vector<std::string> splitPath(const std::string& path) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    const auto end = slash == std::string::npos ? path.size() : slash;
    out.push_back(path.substr(start, end - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return out;
}

bool isParam(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// Fills params when every segment matches.
bool matchSegments(const std::vector<std::string>& pattern, const std::vector<std::string>& path,
                   std::map<std::string, std::string>& params) {
  if (pattern.size() != path.size()) return false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (isParam(pattern[i])) {
      if (path[i].empty()) return false;
      params[pattern[i].substr(1, pattern[i].size() - 2)] = path[i];
    } else if (pattern[i] != path[i]) {
      return false;
    }
  }
  return true;
}

// True when a is more specific than b: at the first segment where one is literal and the other a
// parameter, a is the literal.
bool moreSpecific(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    const bool pa = isParam(a[i]);
    const bool pb = isParam(b[i]);
    if (pa != pb) return !pa;
  }
  return false;
}

}  // namespace

void Router::add(std::string method, std::string pattern, Access access, Handler handler, KeyScope keyScope) {
  Route route;
  route.keyScope = keyScope;
  route.segments = splitPath(pattern);
  route.method = std::move(method);
  route.pattern = std::move(pattern);
  route.access = access;
  route.handler = std::move(handler);
  routes_.push_back(std::move(route));
}

Router::Match Router::match(const std::string& method, const std::string& path) const {
  const std::vector<std::string> segments = splitPath(path);

  // Pick the most specific pattern that matches the path, whatever the method.
  const std::vector<std::string>* best = nullptr;
  for (const Route& route : routes_) {
    std::map<std::string, std::string> ignored;
    if (!matchSegments(route.segments, segments, ignored)) continue;
    if (best == nullptr || moreSpecific(route.segments, *best)) best = &route.segments;
  }

  Match result;
  if (best == nullptr) return result;

  for (const Route& route : routes_) {
    if (route.segments != *best) continue;
    if (route.method == method) {
      result.kind = Match::Kind::Found;
      result.route = &route;
      matchSegments(route.segments, segments, result.params);
      result.allowedMethods.clear();
      return result;
    }
    result.allowedMethods.push_back(route.method);
  }
  result.kind = Match::Kind::MethodNotAllowed;
  return result;
}

void Router::allowTokenInQuery(const std::string& method, const std::string& pattern) {
  for (Route& route : routes_)
    if (route.method == method && route.pattern == pattern) {
      route.tokenInQuery = true;
      return;
    }
  throw std::logic_error("allowTokenInQuery: no route " + method + " " + pattern);
}

}  // namespace spooled::server
