#pragma once
// Which files a SQLite store has open (the database, its -wal and its -shm), by device and inode, so a
// file deleted or replaced under the running server is noticed. SQLite keeps writing to the file it
// opened even after its name is gone: without this check, commits into a deleted database are
// acknowledged and then lost at the next start, which opens whatever the path names then.
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace spooled::server {

class SqliteFileIdentity {
 public:
  // Records the files the path and its -wal and -shm name now (call once the store has them open).
  explicit SqliteFileIdentity(const std::string& databasePath);

  // nullopt while each recorded path still names the file first seen there; otherwise which one does
  // not. A few stat() calls: cheap enough for every commit.
  std::optional<std::string> changed() const;

 private:
  struct File {
    std::string path;
    dev_t device;
    ino_t inode;
  };
  std::vector<File> files_;  // the ones that existed when recorded
};

}  // namespace spooled::server
