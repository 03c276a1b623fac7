#include <QtTest>

class tst_Executor : public QObject {
    Q_OBJECT
private Q_SLOTS:
};

QTEST_GUILESS_MAIN(tst_Executor)
#include "tst_executor.moc"
