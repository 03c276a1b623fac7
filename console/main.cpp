#include "app/console_app.h"

int main(int argc, char* argv[]) {
    return flowdeck::console::runConsole(argc, argv);
}
