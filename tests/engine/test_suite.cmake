# Test suites for flows: the file format, running cases against stubs, coverage, reports.
flowdeck_add_test(NAME engine-test-suite
                  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_test_suite.cpp
                          ${CMAKE_CURRENT_LIST_DIR}/executor_harness.h
                  LABELS unit TIMEOUT 120)
