// Which metadata module the witness loads: the one beside it only when no other user could have
// put it there, else the build's own. The module runs inside the process that holds the
// testimony, so one planted in a folder others can write to must never run.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "support/process.h"

namespace fs = std::filesystem;

namespace {

class MetadataModuleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("gavah-module-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directory(dir_);
    fs::permissions(dir_, fs::perms::owner_all);
    fs::copy_file(GAVAH_WITNESS, dir_ / "gavah-witness");
    fs::copy_file(GAVAH_EVIL_MODULE, dir_ / "libgavah_metadata.so");
    fs::permissions(dir_ / "libgavah_metadata.so", fs::perms::owner_read | fs::perms::owner_write);
    gavah::testing::WriteText(dir_ / "note.txt", "a note");
  }
  void TearDown() override { fs::remove_all(dir_); }

  gavah::testing::Outcome Inspect() {
    return gavah::testing::Exec(dir_, (dir_ / "gavah-witness").string(), {"inspect", "note.txt"},
                                {{"HOME", dir_.string()}});
  }
  bool LoadedEvil(const gavah::testing::Outcome& r) {
    return (r.out + r.err).find("EVIL MODULE LOADED") != std::string::npos;
  }
  fs::path dir_;
};

TEST_F(MetadataModuleTest, TheModuleBesideTheProgramIsUsedWhenOnlyItsOwnerCouldWriteIt) {
  // The test's own check: the planted module is what a trusted place loads.
  EXPECT_TRUE(LoadedEvil(Inspect()));
}

TEST_F(MetadataModuleTest, AModuleOthersCanWriteIsNeverLoaded) {
  fs::permissions(dir_ / "libgavah_metadata.so", fs::perms::others_write, fs::perm_options::add);
  auto r = Inspect();
  EXPECT_FALSE(LoadedEvil(r)) << r.err;
  EXPECT_EQ(r.exit_code, 0) << r.err;  // the build's own module answered
}

TEST_F(MetadataModuleTest, AModuleInAFolderOthersCanWriteIsNeverLoaded) {
  fs::permissions(dir_, fs::perms::group_write | fs::perms::group_all, fs::perm_options::add);
  auto r = Inspect();
  EXPECT_FALSE(LoadedEvil(r)) << r.err;
}

TEST_F(MetadataModuleTest, ASymbolicLinkIsNotFollowed) {
  fs::rename(dir_ / "libgavah_metadata.so", dir_ / "evil.so");
  fs::create_symlink(dir_ / "evil.so", dir_ / "libgavah_metadata.so");
  auto r = Inspect();
  EXPECT_FALSE(LoadedEvil(r)) << r.err;
}

}  // namespace
