// The CTest fixture around the PostgreSQL tests: `pg_test_cluster start STATE` starts a throwaway
// cluster and writes its folder and port to STATE; `pg_test_cluster stop STATE` stops and removes it.
// A cluster left behind by an interrupted run is removed by the next start.
#include <filesystem>
#include <iostream>
#include <string>

#include "support/pg_cluster.hpp"

int main(int argc, char** argv) {
  using spooled::test::PgCluster;
  if (argc != 3) {
    std::cerr << "usage: pg_test_cluster start|stop STATE_FILE\n";
    return 2;
  }
  const std::string command = argv[1];
  const std::string state = argv[2];
  try {
    if (std::filesystem::exists(state)) {
      PgCluster::attach(state)->destroy();
      std::filesystem::remove(state);
    }
    if (command == "start") {
      auto cluster = PgCluster::create();
      cluster->writeState(state);
      std::cout << "PostgreSQL test cluster on port " << cluster->port() << " in " << cluster->directory() << "\n";
      cluster.release();  // keeps running after this process ends; `stop` removes it
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "pg_test_cluster " << command << ": " << e.what() << "\n";
    return 1;
  }
}
