// gavah-witness-app: give testimony to an organisation, in Persian or English, without a
// terminal. Everything it does is the witness library's (client/witness/witness.h).
#include <QGuiApplication>
#include <cstdio>

#include "gavah/crypto/process.h"
#include "gavah/crypto/secret_buffer.h"
#include "witness_app.h"

int main(int argc, char** argv) {
  if (!gavah::InitCrypto()) {
    std::fprintf(stderr, "gavah-witness-app: cannot initialise libsodium\n");
    return 1;
  }
  // No core dump of a testimony being typed, no other process of the user reading this one.
  if (const gavah::Status hardened = gavah::HardenProcess(); !hardened.ok()) {
    std::fprintf(stderr, "gavah-witness-app: %s\n", hardened.message().c_str());
    return 1;
  }
  QGuiApplication app(argc, argv);
  QGuiApplication::setApplicationName(QStringLiteral("Gavah"));
  QGuiApplication::setDesktopFileName(QStringLiteral("gavah-witness-app"));
  gavah::app::WitnessApp witness;
  if (!witness.Start()) {
    std::fprintf(stderr, "gavah-witness-app: the interface could not be loaded\n");
    return 1;
  }
  return app.exec();
}
