#include "server/store/sqlite/sqlite_fault_guard.hpp"

#include <setjmp.h>
#include <signal.h>
#include <unistd.h>

#include <mutex>

namespace spooled::server {

namespace {

// Where a SIGBUS on this thread jumps to; null outside guarded calls. A plain pointer, so the signal
// handler reads it without any lazy initialisation.
thread_local sigjmp_buf* activeJump = nullptr;

struct sigaction previousAction {};
std::once_flag installOnce;

void writeStderr(const char* text, std::size_t size) {
  const ssize_t ignored = ::write(STDERR_FILENO, text, size);
  (void)ignored;
}

void onSigbus(int signal, siginfo_t* info, void* context) {
  if (sigjmp_buf* jump = activeJump; jump != nullptr) {
    activeJump = nullptr;
    siglongjmp(*jump, 1);
  }
  static const char message[] = "fatal: SIGBUS outside SQLite; passing it on\n";
  writeStderr(message, sizeof message - 1);
  if ((previousAction.sa_flags & SA_SIGINFO) != 0 && previousAction.sa_sigaction != nullptr) {
    previousAction.sa_sigaction(signal, info, context);
  } else if (previousAction.sa_handler != SIG_DFL && previousAction.sa_handler != SIG_IGN) {
    previousAction.sa_handler(signal);
  } else {
    // Returning re-runs the faulting instruction, which now gets the default action.
    ::signal(SIGBUS, SIG_DFL);
  }
}

}  // namespace

void installSqliteFaultHandler() {
  std::call_once(installOnce, [] {
    struct sigaction action {};
    action.sa_sigaction = onSigbus;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigaction(SIGBUS, &action, &previousAction);
  });
}

bool runGuardedSqliteCall(int (*fn)(void*), void* context, int& rc) noexcept {
  sigjmp_buf jump;
  sigjmp_buf* const outer = activeJump;  // not changed after sigsetjmp, so still valid after a jump
  // savemask = 0: saving the mask costs a system call on every guarded call (every SQLite step).
  // The rare jump instead unblocks SIGBUS itself, which the kernel blocked on entering the handler.
  if (sigsetjmp(jump, 0) != 0) {
    activeJump = outer;
    sigset_t sigbus;
    sigemptyset(&sigbus);
    sigaddset(&sigbus, SIGBUS);
    pthread_sigmask(SIG_UNBLOCK, &sigbus, nullptr);
    return false;
  }
  activeJump = &jump;
  rc = fn(context);
  activeJump = outer;
  return true;
}

}  // namespace spooled::server
