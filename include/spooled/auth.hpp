#pragma once
// JWT sessions: exchange an API key for an access token and a refresh token, refresh the access
// token, inspect or validate a token, and log out (the server revokes the tokens for good). To call
// the API with a token, make a client with ClientOptions::accessToken set to it.
#include <optional>
#include <string>
#include <vector>

#include "spooled/json.hpp"

namespace spooled {

namespace detail {
class ApiCaller;
}  // namespace detail

struct LoginResult {
  std::string accessToken{};
  std::string refreshToken{};
  std::string tokenType{};  // "Bearer"
  long long expiresIn = 0;         // seconds the access token lives
  long long refreshExpiresIn = 0;  // seconds the refresh token lives

  static LoginResult fromJson(const json& body);
};

struct RefreshResult {
  std::string accessToken{};
  std::string tokenType{};
  long long expiresIn = 0;

  static RefreshResult fromJson(const json& body);
};

// GET /api/v1/auth/me: what the access token the client sends stands for.
struct CurrentUser {
  std::string organizationId{};
  std::string apiKeyId{};
  std::vector<std::string> queues{};
  std::string issuedAt{};
  std::string expiresAt{};

  static CurrentUser fromJson(const json& body);
};

struct TokenClaims {
  std::string organizationId{};
  std::string apiKeyId{};
  std::vector<std::string> queues{};
  long long exp = 0;  // seconds since the epoch
  long long iat = 0;
  std::string jti{};
  std::string tokenType{};  // "access" or "refresh"
};

struct ValidateTokenResult {
  bool valid = false;
  std::optional<std::string> message{};  // why not, when invalid
  std::optional<TokenClaims> claims{};   // when valid

  static ValidateTokenResult fromJson(const json& body);
};

// Obtained from SpooledClient::auth(); lives as long as the client. Thread-safe. Every call throws a
// SpooledError subclass on failure (see errors.hpp); an invalid or expired token is AuthenticationError.
class AuthResource {
 public:
  AuthResource(const AuthResource&) = delete;
  AuthResource& operator=(const AuthResource&) = delete;

  // Needs no credentials of the client: the key to exchange is the argument.
  LoginResult login(const std::string& apiKey);
  RefreshResult refresh(const std::string& refreshToken);
  // Revokes the client's access token (when it uses one) and refreshToken (when given).
  void logout(const std::optional<std::string>& refreshToken = std::nullopt);
  // Needs a client whose credential is an access token (ClientOptions::accessToken).
  CurrentUser me();
  ValidateTokenResult validate(const std::string& token);

 private:
  friend class SpooledClient;
  explicit AuthResource(detail::ApiCaller& api) : api_(api) {}
  detail::ApiCaller& api_;
};

}  // namespace spooled
