#pragma once

// What the tests of a local cluster (flowdeck::cluster::LocalCluster) share: letting PostgreSQL
// into the test's directory, and finding the node that drives rollouts.

#include "cluster/local_cluster.h"

#include <QFile>
#include <QString>

namespace flowd_test {

// PostgreSQL runs as the postgres user when the tests run as root: it must reach the dir.
inline void letPostgresIn(const QString& dir) {
    QFile::setPermissions(dir, QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                   QFileDevice::ExeOwner | QFileDevice::ReadOther |
                                   QFileDevice::ExeOther | QFileDevice::ReadGroup |
                                   QFileDevice::ExeGroup);
}

// The running node whose log last says it drives rollouts; -1 when none does (yet).
inline int leaderFromLogs(const flowdeck::cluster::LocalCluster& cluster) {
    for (size_t i = 0; i < cluster.nodes().size(); ++i) {
        QFile log(QString::fromStdString(cluster.nodes()[i].logPath));
        if (!log.open(QIODevice::ReadOnly)) {
            continue;
        }
        const QString text = QString::fromUtf8(log.readAll());
        const int became = text.lastIndexOf("now drives rollouts");
        const int lost = text.lastIndexOf("no longer drives rollouts");
        if (became >= 0 && became > lost && cluster.isRunning(i)) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

} // namespace flowd_test
