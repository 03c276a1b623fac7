# flowdeck_proto: the gRPC/Protobuf API keeps the seed engine's field names and numbers, round
# trips every key message, declares every service with its methods and roles, documents every
# element, and its generated stubs talk to a server (in-process, no network).
if(FLOWDECK_BUILD_PROTO)
  flowdeck_add_test(NAME proto-api SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_proto.cpp
                    LABELS unit LIBS flowdeck_proto TIMEOUT 60)
  target_compile_definitions(proto-api PRIVATE
    FLOWDECK_PROTOSET="${FLOWDECK_PROTO_DESCRIPTOR_SET}")
endif()
