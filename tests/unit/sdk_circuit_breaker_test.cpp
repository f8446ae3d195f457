// The SDK's circuit breaker, driven by a fake clock so no test waits out a real reset timeout.
#include <gtest/gtest.h>

#include <string>

#include "sdk/circuit_breaker.hpp"
#include "spooled/errors.hpp"

namespace spooled::detail {
namespace {

using std::chrono::milliseconds;

class SdkCircuitBreakerTest : public ::testing::Test {
 protected:
  CircuitBreakerOptions options(int failureThreshold = 3, int successThreshold = 1) {
    CircuitBreakerOptions o;
    o.failureThreshold = failureThreshold;
    o.successThreshold = successThreshold;
    o.resetTimeout = milliseconds(1000);
    return o;
  }
  CircuitBreaker::Clock clock() {
    return [this] { return now_; };
  }
  void advance(milliseconds by) { now_ += by; }
  static void fail(CircuitBreaker& breaker, int times) {
    for (int i = 0; i < times; ++i) {
      breaker.beforeCall();
      breaker.recordFailure();
    }
  }

  std::chrono::steady_clock::time_point now_{};
};

TEST_F(SdkCircuitBreakerTest, OpensAfterThresholdConsecutiveFailuresAndFailsFast) {
  CircuitBreaker breaker(options(3), clock());
  fail(breaker, 2);
  EXPECT_EQ(breaker.state(), CircuitState::Closed);
  fail(breaker, 1);
  EXPECT_EQ(breaker.state(), CircuitState::Open);
  try {
    breaker.beforeCall();
    FAIL() << "an open circuit let a call through";
  } catch (const CircuitOpenError& error) {
    EXPECT_NE(std::string(error.what()).find("circuit breaker is open"), std::string::npos) << error.what();
    EXPECT_EQ(error.code(), "CIRCUIT_OPEN");
    EXPECT_FALSE(error.isRetryable());
  }
}

TEST_F(SdkCircuitBreakerTest, OpenCircuitIsANetworkError) {
  CircuitBreaker breaker(options(1), clock());
  fail(breaker, 1);
  EXPECT_THROW(breaker.beforeCall(), NetworkError);
}

TEST_F(SdkCircuitBreakerTest, SuccessInBetweenResetsTheFailureCount) {
  CircuitBreaker breaker(options(3), clock());
  fail(breaker, 2);
  breaker.beforeCall();
  breaker.recordSuccess();
  fail(breaker, 2);
  EXPECT_EQ(breaker.state(), CircuitState::Closed);
}

TEST_F(SdkCircuitBreakerTest, HalfOpensAfterResetTimeoutAndLetsOneProbeThrough) {
  CircuitBreaker breaker(options(1), clock());
  fail(breaker, 1);
  advance(milliseconds(999));
  EXPECT_THROW(breaker.beforeCall(), CircuitOpenError);
  advance(milliseconds(1));
  EXPECT_EQ(breaker.state(), CircuitState::HalfOpen);
  EXPECT_NO_THROW(breaker.beforeCall());
  // A second caller while the probe is out fails fast rather than piling onto a recovering server.
  EXPECT_THROW(breaker.beforeCall(), CircuitOpenError);
}

TEST_F(SdkCircuitBreakerTest, SuccessfulProbeClosesTheCircuit) {
  CircuitBreaker breaker(options(1), clock());
  fail(breaker, 1);
  advance(milliseconds(1000));
  breaker.beforeCall();
  breaker.recordSuccess();
  EXPECT_EQ(breaker.state(), CircuitState::Closed);
  EXPECT_NO_THROW(breaker.beforeCall());
  EXPECT_NO_THROW(breaker.beforeCall());
}

TEST_F(SdkCircuitBreakerTest, NeedsSuccessThresholdProbesToClose) {
  CircuitBreaker breaker(options(1, 2), clock());
  fail(breaker, 1);
  advance(milliseconds(1000));
  breaker.beforeCall();
  breaker.recordSuccess();
  EXPECT_EQ(breaker.state(), CircuitState::HalfOpen);
  breaker.beforeCall();
  breaker.recordSuccess();
  EXPECT_EQ(breaker.state(), CircuitState::Closed);
}

TEST_F(SdkCircuitBreakerTest, FailedProbeReopensForAnotherFullTimeout) {
  CircuitBreaker breaker(options(1), clock());
  fail(breaker, 1);
  advance(milliseconds(1000));
  breaker.beforeCall();
  breaker.recordFailure();
  EXPECT_EQ(breaker.state(), CircuitState::Open);
  advance(milliseconds(500));
  EXPECT_THROW(breaker.beforeCall(), CircuitOpenError);
  advance(milliseconds(500));
  EXPECT_NO_THROW(breaker.beforeCall());
}

TEST_F(SdkCircuitBreakerTest, DisabledBreakerNeverOpens) {
  CircuitBreakerOptions o = options(1);
  o.enabled = false;
  CircuitBreaker breaker(o, clock());
  fail(breaker, 10);
  EXPECT_NO_THROW(breaker.beforeCall());
  EXPECT_EQ(breaker.state(), CircuitState::Closed);
}

}  // namespace
}  // namespace spooled::detail
