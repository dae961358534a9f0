# Every dependency comes from Debian 12 packages (installed by scripts/install-deps.sh).
# Versions seen on the reference machine: libtorch-dev 1.13.1, nlohmann-json 3.11.2,
# CLI11 2.3.2, fmt 9.1.0, zlib 1.2.13, libarchive 3.6.2, GoogleTest 1.12.1.
find_package(Threads REQUIRED)
find_package(Torch REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(fmt REQUIRED)
find_package(ZLIB REQUIRED)
find_package(LibArchive REQUIRED)
if(NOT TARGET LibArchive::LibArchive)
  add_library(LibArchive::LibArchive INTERFACE IMPORTED)
  set_target_properties(LibArchive::LibArchive PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${LibArchive_INCLUDE_DIRS}"
    INTERFACE_LINK_LIBRARIES "${LibArchive_LIBRARIES}")
endif()
