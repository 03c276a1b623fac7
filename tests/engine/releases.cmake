# Releases in the engine: canary plans, analysis verdicts, the JSON documents and both release
# stores, per-version stats, the registry's split, and the controller driven by a hand-set clock.
flowdeck_add_test(NAME engine-releases SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_releases.cpp
                  LABELS unit TIMEOUT 60)
# Cluster mode: two controllers over shared stores; the leader drives, the follower follows.
flowdeck_add_test(NAME engine-release-cluster
                  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_release_cluster.cpp LABELS unit TIMEOUT 60)
