// LocalPostgres, the throw-away PostgreSQL behind `flowctl cluster up --postgres` and every
// cluster integration test: it must come up on loopback with its database, be found again by
// attach(), and never outlive its owner.
#include "cluster/local_postgres.h"
#include "pg_query.h"

#include <QTemporaryDir>
#include <QtTest>

#include <arpa/inet.h>
#include <fstream>
#include <ifaddrs.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using flowdeck::cluster::LocalPostgres;
using flowdeck::cluster::LocalPostgresOptions;
using namespace std::chrono_literals;

namespace {

using pgtest::queryValue;

bool tcpConnects(in_addr_t address, uint16_t port) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = address;
    addr.sin_port = htons(port);
    const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    close(fd);
    return ok;
}

// A socket listening on 127.0.0.1:port, -1 when it cannot be bound.
int listenOn(uint16_t port) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd, 4) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

bool loopbackOpen(uint16_t port) {
    return tcpConnects(htonl(INADDR_LOOPBACK), port);
}

// An IPv4 address of this machine other than loopback, if it has one.
std::optional<in_addr_t> externalAddress() {
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) != 0) {
        return std::nullopt;
    }
    std::optional<in_addr_t> found;
    for (ifaddrs* i = list; i && !found; i = i->ifa_next) {
        if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET) {
            const in_addr_t a = reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr.s_addr;
            if ((ntohl(a) >> 24) != 127) {
                found = a;
            }
        }
    }
    freeifaddrs(list);
    return found;
}

bool processGone(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) {
        return true;
    }
    const size_t close = line.rfind(')');
    return close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z';
}

// The temporary directory itself: as root it is handed to the postgres user, which could not
// enter a subdirectory of this root-only (0700) directory.
LocalPostgresOptions optionsIn(const QTemporaryDir& tmp) {
    LocalPostgresOptions options;
    options.dir = tmp.path().toStdString();
    return options;
}

} // namespace

// initdb is the slow part (seconds on a loaded machine), so one server serves the read-only
// checks and only stop/restart and the second instance start their own.
class tst_LocalPostgres final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void findsPostgresPrograms();
    void startsWithItsDatabaseOnLoopbackOnly();
    void attachFindsTheRunningServer();
    void attachFailsWhereNoServerRuns();
    void secondInstanceGetsAnotherPortAndDestructorStopsIt();
    void stopShutsTheServerDownAndRestartKeepsData();
    void fileInTheWayFailsClearly();

private:
    QTemporaryDir m_dir;
    std::unique_ptr<LocalPostgres> m_pg;
};

void tst_LocalPostgres::initTestCase() {
    std::string error;
    m_pg = LocalPostgres::start(optionsIn(m_dir), &error);
    QVERIFY2(m_pg, error.c_str());
}

void tst_LocalPostgres::cleanupTestCase() {
    const pid_t pid = m_pg ? m_pg->pid() : 0;
    m_pg.reset();
    QVERIFY(pid == 0 || processGone(pid));
}

void tst_LocalPostgres::findsPostgresPrograms() {
    const std::string bin = flowdeck::cluster::findPostgresBinDir();
    QVERIFY2(!bin.empty(), "no PostgreSQL server programs found");
    QVERIFY(access((bin + "/initdb").c_str(), X_OK) == 0);
    QVERIFY(access((bin + "/pg_ctl").c_str(), X_OK) == 0);

    qputenv("FLOWDECK_PG_BIN", "/opt/elsewhere/bin");
    const std::string overridden = flowdeck::cluster::findPostgresBinDir();
    qunsetenv("FLOWDECK_PG_BIN");
    QCOMPARE(overridden, std::string("/opt/elsewhere/bin"));
}

void tst_LocalPostgres::startsWithItsDatabaseOnLoopbackOnly() {
    QVERIFY(m_pg->port() != 0);
    QVERIFY(m_pg->pid() > 0);
    QVERIFY(!processGone(m_pg->pid()));
    const std::string conninfo = m_pg->conninfo();
    QCOMPARE(conninfo, "host=127.0.0.1 port=" + std::to_string(m_pg->port()) +
                           " dbname=flowdeck user=flowdeck");
    QCOMPARE(queryValue(conninfo, "SELECT current_database()"), std::string("flowdeck"));
    QCOMPARE(queryValue(conninfo, "SELECT current_user"), std::string("flowdeck"));
    // The non-durable default and the connection headroom cluster tests rely on.
    QCOMPARE(queryValue(conninfo, "SHOW fsync"), std::string("off"));
    QCOMPARE(queryValue(conninfo, "SHOW synchronous_commit"), std::string("off"));
    QCOMPARE(queryValue(conninfo, "SHOW max_connections"), std::string("200"));

    QCOMPARE(queryValue(conninfo, "SHOW listen_addresses"), std::string("127.0.0.1"));
    if (const auto external = externalAddress()) {
        QVERIFY2(!tcpConnects(*external, m_pg->port()), "PostgreSQL answers off loopback");
    }
}

void tst_LocalPostgres::attachFindsTheRunningServer() {
    std::string error;
    auto again = LocalPostgres::attach(m_pg->dir(), &error);
    QVERIFY2(again, error.c_str());
    QCOMPARE(again->port(), m_pg->port());
    QCOMPARE(again->pid(), m_pg->pid());
    QCOMPARE(again->conninfo(), m_pg->conninfo());
    again->detach();
    again.reset(); // detached: the server must keep running
    QCOMPARE(queryValue(m_pg->conninfo(), "SELECT 1"), std::string("1"));

    // A relative directory, as `flowctl cluster down --dir ...` may pass it.
    const QString before = QDir::currentPath();
    QFileInfo where(QString::fromStdString(m_pg->dir()));
    QDir::setCurrent(where.absolutePath());
    auto relative = LocalPostgres::attach(where.fileName().toStdString(), &error);
    QDir::setCurrent(before);
    QVERIFY2(relative, error.c_str());
    QCOMPARE(relative->port(), m_pg->port());
    relative->detach();
}

void tst_LocalPostgres::attachFailsWhereNoServerRuns() {
    QTemporaryDir tmp;
    std::string error;
    QVERIFY(!LocalPostgres::attach(tmp.path().toStdString(), &error));
    QVERIFY2(error.find(tmp.path().toStdString()) != std::string::npos, error.c_str());
}

void tst_LocalPostgres::secondInstanceGetsAnotherPortAndDestructorStopsIt() {
    QTemporaryDir tmp;
    std::string error;
    pid_t pid = 0;
    uint16_t port = 0;
    {
        auto second = LocalPostgres::start(optionsIn(tmp), &error);
        QVERIFY2(second, error.c_str());
        pid = second->pid();
        port = second->port();
        QVERIFY(port != m_pg->port());
        QCOMPARE(queryValue(second->conninfo(), "SELECT 1"), std::string("1"));
        QCOMPARE(queryValue(m_pg->conninfo(), "SELECT 1"), std::string("1"));
    }
    QVERIFY(processGone(pid));
    QVERIFY(!loopbackOpen(port));
    QCOMPARE(queryValue(m_pg->conninfo(), "SELECT 1"), std::string("1"));
}

void tst_LocalPostgres::stopShutsTheServerDownAndRestartKeepsData() {
    QTemporaryDir tmp;
    std::string error;
    LocalPostgresOptions options = optionsIn(tmp);
    auto pg = LocalPostgres::start(options, &error);
    QVERIFY2(pg, error.c_str());
    const pid_t pid = pg->pid();
    QVERIFY(loopbackOpen(pg->port()));
    QCOMPARE(queryValue(pg->conninfo(), "CREATE TABLE kept (v int)"), std::string());

    QVERIFY2(pg->stop(10s, &error), error.c_str());
    QVERIFY(processGone(pid));
    QVERIFY(!loopbackOpen(pg->port()));
    QVERIFY(pg->stop(10s, &error)); // idempotent
    QVERIFY(!LocalPostgres::attach(pg->dir(), &error));

    // Its port taken by someone else: the start fails and says why, from postgres.log.
    options.port = pg->port();
    {
        const int blocker = listenOn(options.port);
        QVERIFY(blocker >= 0);
        QVERIFY(!LocalPostgres::start(options, &error));
        close(blocker);
        QVERIFY2(error.find("postgres.log") != std::string::npos, error.c_str());
        QVERIFY2(error.find("Address already in use") != std::string::npos, error.c_str());
    }

    auto again = LocalPostgres::start(options, &error);
    QVERIFY2(again, error.c_str());
    QCOMPARE(again->port(), options.port);
    QCOMPARE(queryValue(again->conninfo(), "SELECT count(*) FROM kept"), std::string("0"));
}

void tst_LocalPostgres::fileInTheWayFailsClearly() {
    QTemporaryDir tmp;
    const std::string path = tmp.filePath(QStringLiteral("pg")).toStdString();
    std::ofstream(path) << "not a directory\n";
    LocalPostgresOptions options;
    options.dir = path;
    std::string error;
    QVERIFY(!LocalPostgres::start(options, &error));
    QVERIFY2(error.find(path) != std::string::npos, error.c_str());
    QVERIFY2(error.find("cannot create") != std::string::npos, error.c_str());
}

QTEST_GUILESS_MAIN(tst_LocalPostgres)
#include "tst_local_postgres.moc"
