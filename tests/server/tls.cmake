# flowd over TLS and mutual TLS, gRPC and HTTPS, with certificates the test makes with the
# openssl command (a throw-away CA, a server certificate for 127.0.0.1, a client certificate).
if(TARGET flowd)
  find_package(Qt6 REQUIRED COMPONENTS Network)
  find_program(FLOWDECK_OPENSSL openssl)
  if(FLOWDECK_OPENSSL)
    flowdeck_add_test(NAME server-tls SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_tls.cpp
                      LABELS integration TIMEOUT 120
                      LIBS flowdeck_proto Qt6::Network PkgConfig::FLOWD_HTTPLIB)
    target_compile_definitions(server-tls PRIVATE OPENSSL_BIN="${FLOWDECK_OPENSSL}")
    add_dependencies(server-tls flowd)
    if(TARGET flowctl)
      add_dependencies(server-tls flowctl)
    endif()
  endif()
endif()
