#pragma once

// Runs the real flowctl binary the way a user or a CI script does, for the clients-* tests.
#include <QFile>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QtGlobal>

namespace flowctl_test {

inline const QString kFlowctl = QStringLiteral(TEST_BIN_DIR "/flowctl");

struct Run {
    int exitCode = -1; // -1: crashed or timed out
    QString out;
    QString err;
};

inline Run flowctl(const QStringList& arguments, const QByteArray& input = {}) {
    QProcess process;
    process.start(kFlowctl, arguments);
    if (!process.waitForStarted(10000)) {
        qFatal("cannot start %s", qPrintable(kFlowctl));
    }
    process.write(input);
    process.closeWriteChannel();
    if (!process.waitForFinished(60000)) {
        process.kill();
        process.waitForFinished();
        return {};
    }
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}

// Writes a test input file into `dir` and returns its path.
inline QString writeFile(const QString& dir, const QString& name, const QByteArray& content) {
    const QString path = dir + QLatin1Char('/') + name;
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size()) {
        qFatal("cannot write %s", qPrintable(path));
    }
    return path;
}

} // namespace flowctl_test
