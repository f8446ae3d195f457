#include "server/store/sqlite/sqlite_file_identity.hpp"

#include <sys/stat.h>

namespace spooled::server {

SqliteFileIdentity::SqliteFileIdentity(const std::string& databasePath) {
  for (const std::string& path : {databasePath, databasePath + "-wal", databasePath + "-shm"}) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) files_.push_back(File{path, st.st_dev, st.st_ino});
  }
}

std::optional<std::string> SqliteFileIdentity::changed() const {
  for (const File& file : files_) {
    struct stat st {};
    // The name without its folder: this text reaches clients and the public /health.
    const std::string name = file.path.substr(file.path.find_last_of('/') + 1);
    if (::stat(file.path.c_str(), &st) != 0)
      return "the database file " + name + " was deleted or moved while the server was running";
    if (st.st_dev != file.device || st.st_ino != file.inode)
      return "the database file " + name + " was replaced while the server was running";
  }
  return std::nullopt;
}

}  // namespace spooled::server
