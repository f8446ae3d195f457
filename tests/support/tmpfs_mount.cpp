#include "support/tmpfs_mount.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <vector>

namespace spooled::test {

namespace {

std::string options(std::size_t bytes) { return "size=" + std::to_string(bytes) + ",mode=0755"; }

}  // namespace

TmpfsMount::TmpfsMount(std::size_t bytes) : bytes_(bytes) {
  std::string pattern = (std::filesystem::temp_directory_path() / "spooled-tmpfs-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
  if (::mount("tmpfs", path_.c_str(), "tmpfs", 0, options(bytes).c_str()) == 0) {
    mounted_ = true;
  } else {
    error_ = std::string("cannot mount a tmpfs on ") + path_ + ": " + std::strerror(errno) +
             " (these tests need root with CAP_SYS_ADMIN)";
  }
}

TmpfsMount::~TmpfsMount() {
  if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

void TmpfsMount::setReadOnly(bool readOnly) {
  unsigned long flags = MS_REMOUNT;
  if (readOnly) flags |= MS_RDONLY;
  if (::mount("tmpfs", path_.c_str(), "tmpfs", flags, options(bytes_).c_str()) != 0)
    throw std::runtime_error("cannot remount " + path_ + (readOnly ? " read-only: " : " read-write: ") +
                             std::strerror(errno));
}

std::size_t TmpfsMount::freeBytes() const {
  struct statvfs st {};
  if (::statvfs(path_.c_str(), &st) != 0) throw std::runtime_error("statvfs failed on " + path_);
  return static_cast<std::size_t>(st.f_bavail) * st.f_frsize;
}

std::string TmpfsMount::fillLeaving(std::size_t leave) {
  const std::string file = path_ + "/filler";
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0) throw std::runtime_error("cannot create " + file);
  const std::vector<char> block(4096, 'x');
  while (freeBytes() > leave) {
    const std::size_t want = std::min(block.size(), freeBytes() - leave);
    if (::write(fd, block.data(), want) <= 0) break;
  }
  ::close(fd);
  return file;
}

}  // namespace spooled::test
