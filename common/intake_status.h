// Words of the intake protocol that servers send and clients recognise (docs/PROTOCOL.md,
// "Intake API"): a client tells a busy server apart from one it cannot reach by this text.
#pragma once

namespace gavah {

// UNAVAILABLE with exactly this message: the server is up and refused the call for load.
inline constexpr char kBusyText[] = "the server is busy; try again shortly";

}  // namespace gavah
