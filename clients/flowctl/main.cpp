#include "flowdeck/client/flowctl_app.h"

#include <iostream>

int main(int argc, char** argv)
{
    return flowdeck::client::runFlowctl(argc, argv, std::cin, std::cout, std::cerr);
}
