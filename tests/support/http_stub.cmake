# flowdeck-http-stub: the HTTP server integration tests talk to (see http_stub.cpp for its
# endpoints, http_stub_process.h to start it from a Qt test). Lands in build/bin (TEST_BIN_DIR).
# Debian builds cpp-httplib as a shared library with TLS/zlib/brotli on; its pkg-config file
# carries the defines the header must be compiled with to match that library's ABI.
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(CPP_HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
find_package(nlohmann_json 3.11 REQUIRED)
add_executable(flowdeck-http-stub ${CMAKE_CURRENT_LIST_DIR}/http_stub.cpp)
target_link_libraries(flowdeck-http-stub PRIVATE PkgConfig::CPP_HTTPLIB nlohmann_json::nlohmann_json
                      Threads::Threads)
