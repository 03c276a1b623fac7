# bench-flowd-grpc, the gRPC load driver of docs/benchmarks.md, against a real flowd on
# 127.0.0.1: what it reports is what flowd counted. The bench/ directory is added after tests/,
# so the driver target is named here before it exists (CMake resolves it at generate time).
if(TARGET flowd AND FLOWDECK_BUILD_BENCHMARKS)
  find_package(Qt6 REQUIRED COMPONENTS Network)
  flowdeck_add_test(NAME server-load-driver SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_load_driver.cpp
                    LABELS integration TIMEOUT 120
                    LIBS Qt6::Network PkgConfig::FLOWD_HTTPLIB)
  add_dependencies(server-load-driver flowd bench-flowd-grpc)
endif()
