# Simulation sessions and the executor's step hook (the console's Simulate workspace runs on them).
flowdeck_add_test(NAME engine-simulation
                  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_simulation.cpp
                          ${CMAKE_CURRENT_LIST_DIR}/executor_harness.h
                  LABELS unit TIMEOUT 120)
