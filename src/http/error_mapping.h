// The one place where a canonical error Code becomes an HTTP status (and back, for clients).
#pragma once

#include "common/status.h"

namespace hearth::http {

int HttpStatusFor(Code code);
// For clients: the Code that best describes an HTTP status received from a server.
Code CodeForHttpStatus(int status);

}  // namespace hearth::http
