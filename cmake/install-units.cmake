# install-units.cmake: run by `cmake --install` (install(SCRIPT) in CMakeLists.txt). Installs
# the sample systemd units with /usr/local/bin/tokenfleet, the path they are written with (so
# that they can also be copied from samples/systemd/ as they are), replaced by the binary's
# installed path. This runs at install time, so that `cmake --install --prefix DIR` names
# DIR/bin/tokenfleet, and not the prefix the build was configured with.
#
# Set by the install(CODE) before it: TOKENFLEET_UNITS (the units' paths), TOKENFLEET_UNIT_DIR
# and TOKENFLEET_BINDIR (relative to the prefix, or absolute), TOKENFLEET_STAGE (a folder in the
# build tree for the rewritten copies).
foreach(var TOKENFLEET_BINDIR TOKENFLEET_UNIT_DIR)
  if(IS_ABSOLUTE "${${var}}")
    set(${var}_FULL "${${var}}")
  else()
    set(${var}_FULL "${CMAKE_INSTALL_PREFIX}/${${var}}")
  endif()
endforeach()

set(staged "")
foreach(unit IN LISTS TOKENFLEET_UNITS)
  get_filename_component(name "${unit}" NAME)
  file(READ "${unit}" text)
  string(REPLACE "/usr/local/bin/tokenfleet" "${TOKENFLEET_BINDIR_FULL}/tokenfleet" text "${text}")
  file(WRITE "${TOKENFLEET_STAGE}/${name}" "${text}")
  list(APPEND staged "${TOKENFLEET_STAGE}/${name}")
endforeach()
# file(INSTALL) adds $DESTDIR and records the files in install_manifest.txt.
file(INSTALL DESTINATION "${TOKENFLEET_UNIT_DIR_FULL}" TYPE FILE
     PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
     FILES ${staged})
