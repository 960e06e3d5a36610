// Sends an envelope to the bundle's intake endpoints over pinned TLS, resuming an interrupted
// upload, and verifies the server's signed receipt.
#pragma once

#include <functional>
#include <string>

#include "gavah/crypto/bundle.h"
#include "gavah/crypto/digest.h"
#include "gavah/crypto/receipt.h"
#include "gavah/crypto/status.h"

namespace gavah::cli {

struct SendOptions {
  // http://HOST:PORT of an HTTP CONNECT proxy (Tor's HTTPTunnelPort). Empty: connect directly,
  // ignoring any proxy environment variables.
  std::string proxy;
  // Called with bytes sent so far and the total, for a progress bar.
  std::function<void(uint64_t, uint64_t)> progress;
};

// kInvalidArgument unless `proxy` is exactly http://HOST:PORT.
Status CheckProxy(const std::string& proxy);

struct Delivery {
  Receipt receipt;
  std::string endpoint;  // the address that took it
};

// Tries each server endpoint in bundle order. Error codes: kIo when no endpoint could be reached
// or all failed (the caller keeps the envelope to retry), kBadSignature for a receipt that does
// not verify, kInvalidArgument when a server refused the envelope itself.
Result<Delivery> SendEnvelope(const RecipientBundle& bundle, int fd, const Digest32& id,
                              uint64_t size, const SendOptions& options);

// Receipt files: "gavah-receipt-v1 <id hex> <log_index> <hour> <signature base64> <receipt key
// base64>\n".
std::string ReceiptToText(const Receipt& r, const PublicKey32& key);
Result<std::pair<Receipt, PublicKey32>> ReceiptFromText(std::string_view text);

}  // namespace gavah::cli
