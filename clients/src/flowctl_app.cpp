#include "flowdeck/client/flowctl_app.h"

#include <ostream>

namespace flowdeck::client {

int runFlowctl(int, const char* const*, std::istream&, std::ostream& out, std::ostream&)
{
    out << "flowctl\n";
    return 0;
}

} // namespace flowdeck::client
