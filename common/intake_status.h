// Words of the intake protocol that servers send and clients recognise (docs/PROTOCOL.md,
// "Intake API"): a client tells a busy server apart from one it cannot reach by this text.
#pragma once

namespace gavah {

// UNAVAILABLE with exactly this message: the server is up and refused the call for load.
inline constexpr char kBusyText[] = "the server is busy; try again shortly";

// RESOURCE_EXHAUSTED with exactly this message: the submission must carry a proof of work for
// the seed and effort GetAdmission gives (docs/PROTOCOL.md, "Admission").
inline constexpr char kPowNeededText[] = "the server asks for proof of work; solve and send again";

}  // namespace gavah
