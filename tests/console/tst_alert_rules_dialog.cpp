#include "clusters/alert_rules_dialog.h"
#include "clusters/alerts_model.h"
#include "clusters/clusters_workspace.h"

#include <QDockWidget>
#include <QFile>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QStandardPaths>
#include <QTableView>
#include <QtTest>

using namespace flowdeck::console;

class tst_AlertRulesDialog final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void showsTheRulesAsJson();
    void okWithABadFieldStaysOpenAndNamesIt();
    void okWithValidJsonReturnsTheEditedRules();
    void workspaceHasAnAlertsDockWithTheDefaultRules();
};

void tst_AlertRulesDialog::showsTheRulesAsJson() {
    AlertRulesDialog dialog(defaultAlertRules());
    const QString json = dialog.editor()->toPlainText();
    QVERIFY(json.contains(QStringLiteral("FlowdeckHighLatency")));
    QVERIFY(json.contains(QStringLiteral("\"for_seconds\": 300")));
}

void tst_AlertRulesDialog::okWithABadFieldStaysOpenAndNamesIt() {
    AlertRulesDialog dialog(defaultAlertRules());
    dialog.show();
    QString json = dialog.editor()->toPlainText();
    json.replace(QStringLiteral("\"warning\""), QStringLiteral("\"loud\""));
    dialog.editor()->setPlainText(json);
    dialog.accept();
    QVERIFY(dialog.isVisible());
    QCOMPARE(dialog.result(), int(QDialog::Rejected));
    QVERIFY2(dialog.errorText().startsWith(QStringLiteral("rules[0].severity:")),
             qPrintable(dialog.errorText()));
    QCOMPARE(dialog.rules(), defaultAlertRules()); // nothing applied
}

void tst_AlertRulesDialog::okWithValidJsonReturnsTheEditedRules() {
    AlertRulesDialog dialog(defaultAlertRules());
    dialog.show();
    QString json = dialog.editor()->toPlainText();
    json.replace(QStringLiteral("\"for_seconds\": 300"), QStringLiteral("\"for_seconds\": 600"));
    dialog.editor()->setPlainText(json);
    dialog.accept();
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    QVERIFY(dialog.errorText().isEmpty());
    QCOMPARE(dialog.rules().size(), 3);
    QCOMPARE(dialog.rules().at(0).forSeconds, 600);
}

void tst_AlertRulesDialog::workspaceHasAnAlertsDockWithTheDefaultRules() {
    QStandardPaths::setTestModeEnabled(true); // no saved rules from the user's config
    QFile::remove(ClustersWorkspace::alertRulesPath());
    ClustersWorkspace workspace;
    QCOMPARE(workspace.alertRules(), defaultAlertRules());
    auto* dock = workspace.findChild<QDockWidget*>(QStringLiteral("ClusterAlertsDock"));
    QVERIFY(dock);
    auto* table = dock->findChild<QTableView*>(QStringLiteral("ClusterAlerts"));
    QVERIFY(table);
    QCOMPARE(table->model(), workspace.alertModel());
    QVERIFY(dock->findChild<QPushButton*>(QStringLiteral("ClusterAlertRules")));
    workspace.refreshAlerts();
    QCOMPARE(workspace.alertModel()->rowCount(), 0); // no node, nothing firing
    QCOMPARE(workspace.alertModel()->columnCount(), int(AlertsModel::ColumnCount));
}

QTEST_MAIN(tst_AlertRulesDialog)
#include "tst_alert_rules_dialog.moc"
