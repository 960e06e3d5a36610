#include "metadata.h"

namespace gavah::metadata {

const char* KindName(Kind kind) {
  switch (kind) {
    case Kind::kLocation:
      return "location";
    case Kind::kDevice:
      return "device";
    case Kind::kPerson:
      return "person";
    case Kind::kTime:
      return "time";
    case Kind::kSoftware:
      return "software";
    case Kind::kOther:
      return "other";
  }
  return "other";
}

}  // namespace gavah::metadata
