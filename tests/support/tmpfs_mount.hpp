#pragma once
// A small tmpfs mounted on a fresh temporary folder, for tests of a full or read-only disk. Needs the
// right to mount (root with CAP_SYS_ADMIN, as in the project's containers); mounted() says whether it
// worked, and why not when it did not. Unmounted (lazily) and removed when destroyed.
#include <cstddef>
#include <string>

namespace spooled::test {

class TmpfsMount {
 public:
  explicit TmpfsMount(std::size_t bytes);
  ~TmpfsMount();
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;

  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }
  const std::string& path() const { return path_; }

  // Remounts read-only (true) or read-write (false); throws std::runtime_error on failure.
  void setReadOnly(bool readOnly);
  // Bytes still free.
  std::size_t freeBytes() const;
  // Fills the filesystem with a file until `leave` bytes are free; returns the file's path.
  std::string fillLeaving(std::size_t leave);

 private:
  std::string path_;
  std::size_t bytes_;
  bool mounted_ = false;
  std::string error_;
};

}  // namespace spooled::test
