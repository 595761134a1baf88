# Debian packages (cpack -G DEB in a build directory; scripts/package-test.sh
# builds, installs and tries them):
#   pmemfile-run          the programs (pmemfile-run, mkfs.pmemfile,
#                         pmemfile) and the man pages
#   libpmemfile-core0     the shared library
#   libpmemfile-core-dev  header, static library, .so link, pkg-config file
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME pmemfile-run)
set(CPACK_PACKAGE_VENDOR "pmemfile-run developers")
set(CPACK_PACKAGE_CONTACT "pmemfile-run developers <maintainers@users.noreply.github.com>")
# (the DEB generator puts this first line on every package, then the
# component's own description)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "persistent-memory file system for unmodified programs (pmemfile-run)")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL run lib dev)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
# library dependencies from the binaries themselves (dpkg-shlibdeps)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)

set(CPACK_DEBIAN_RUN_PACKAGE_NAME pmemfile-run)
set(CPACK_DEBIAN_RUN_DESCRIPTION
  "the programs and their manual pages
 pmemfile-run runs any program (dynamic or static) so that every path
 under a chosen mount point lives in a POSIX file system stored in a
 libpmemobj pool, served by a seccomp user-notification supervisor: no
 root, no FUSE, no LD_PRELOAD. Also mkfs.pmemfile and the pmemfile pool
 tool.")
set(CPACK_DEBIAN_LIB_PACKAGE_NAME libpmemfile-core0)
set(CPACK_DEBIAN_LIB_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_LIB_DESCRIPTION
  "the shared library
 libpmemfile-core, the file system under pmemfile-run, for programs that
 link it directly.")
set(CPACK_DEBIAN_DEV_PACKAGE_NAME libpmemfile-core-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
  "libpmemfile-core0 (= ${PROJECT_VERSION}), libpmemobj-dev, libpmem-dev")
set(CPACK_DEBIAN_DEV_DESCRIPTION
  "development files
 The header pmemfile/core.h, the static library and the pkg-config file
 of libpmemfile-core.")
include(CPack)
