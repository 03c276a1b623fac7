# Releases in the engine: canary plans, analysis verdicts, the JSON documents and both release
# stores, per-version stats, the registry's split, and the controller driven by a hand-set clock.
flowdeck_add_test(NAME engine-releases SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_releases.cpp
                  LABELS unit TIMEOUT 60)
