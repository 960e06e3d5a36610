// gavah-desk: the investigators' desk. Unlock once, sync, read, search and work on thousands of
// testimonies, in Persian or English. Everything it does is the investigator library's
// (client/investigator/investigator.h).
#include <QGuiApplication>
#include <cstdio>
#include <cstring>

#include "case_store.h"
#include "desk_app.h"
#include "gavah/crypto/process.h"
#include "gavah/crypto/secret_buffer.h"
#include "preview.h"

int main(int argc, char** argv) {
  // The previewer: a child of the desk that decodes one attachment and exits (preview.h).
  if (argc == 2 && std::strcmp(argv[1], "--preview") == 0)
    return gavah::app::RunPreviewChild(argc, argv);
  if (!gavah::InitCrypto()) {
    std::fprintf(stderr, "gavah-desk: cannot initialise libsodium\n");
    return 1;
  }
  // No core dump of testimony being read, no other process of the user reading this one.
  if (const gavah::Status hardened = gavah::HardenProcess(); !hardened.ok()) {
    std::fprintf(stderr, "gavah-desk: %s\n", hardened.message().c_str());
    return 1;
  }
  // SQLite's page cache holds decrypted pages: wiped when freed (before SQLite is first used).
  gavah::cli::CaseStore::InstallWipingAllocator();
  QGuiApplication app(argc, argv);
  QGuiApplication::setApplicationName(QStringLiteral("Gavah desk"));
  QGuiApplication::setDesktopFileName(QStringLiteral("gavah-desk"));
  gavah::app::DeskApp desk;
  desk.desk().SetPreviewProgram(QCoreApplication::applicationFilePath());
  if (!desk.Start()) {
    std::fprintf(stderr, "gavah-desk: the interface could not be loaded\n");
    return 1;
  }
  return app.exec();
}
