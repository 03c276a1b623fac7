#include "simulate/tests_panel.h"

#include "graph/graph_style.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSignalBlocker>
#include <QSplitter>
#include <QTextBrowser>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace flowdeck::console {

namespace {

QString joinPath(const std::vector<std::string>& path) {
    QStringList names;
    for (const auto& name : path) {
        names << QString::fromStdString(name);
    }
    return names.isEmpty() ? QStringLiteral("—") : names.join(QStringLiteral(" → "));
}

QString html(const std::string& text) {
    return QString::fromStdString(text).toHtmlEscaped();
}

} // namespace

TestsPanel::TestsPanel(QWidget* parent)
    : QWidget(parent)
    , m_title(new QLabel)
    , m_summary(new QLabel)
    , m_cases(new QTreeWidget)
    , m_details(new QTextBrowser)
    , m_progress(new QProgressBar)
    , m_run(new QPushButton(tr("Run Suite")))
    , m_cancelButton(new QPushButton(tr("Cancel")))
    , m_coverage(new QCheckBox(tr("Show coverage on the graph")))
    , m_suiteBox(new QComboBox)
    , m_newSuite(new QPushButton(tr("New Suite…"))) {
    m_suiteBox->setObjectName(QStringLiteral("SuiteBox"));
    m_suiteBox->setToolTip(tr("The flow's suites: FLOW.suite.json and FLOW.<name>.suite.json"));
    m_suiteBox->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_cases->setObjectName(QStringLiteral("TestCases"));
    m_cases->setHeaderLabels({tr("Test"), tr("Turns"), tr("Result")});
    m_cases->setRootIsDecorated(false);
    m_cases->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_cases->header()->setStretchLastSection(false);
    m_details->setObjectName(QStringLiteral("TestDetails"));
    m_progress->setVisible(false);
    m_cancelButton->setVisible(false);
    m_summary->setWordWrap(true);

    auto* row = new QHBoxLayout;
    row->addWidget(m_suiteBox);
    row->addWidget(m_newSuite);
    row->addWidget(m_title, 1);
    row->addWidget(m_coverage);
    row->addWidget(m_progress);
    row->addWidget(m_cancelButton);
    row->addWidget(m_run);
    auto* split = new QSplitter;
    split->addWidget(m_cases);
    split->addWidget(m_details);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(row);
    layout->addWidget(m_summary);
    layout->addWidget(split, 1);

    connect(m_run, &QPushButton::clicked, this, &TestsPanel::runSuite);
    connect(m_suiteBox, &QComboBox::currentIndexChanged, this,
            [this](int index) { loadSuite(m_suiteBox->itemData(index).toString()); });
    connect(m_newSuite, &QPushButton::clicked, this, [this] {
        bool ok = false;
        const QString name =
            QInputDialog::getText(this, tr("New Test Suite"),
                                  tr("Name (kept as FLOW.<name>.suite.json beside the flow):"),
                                  QLineEdit::Normal, QString(), &ok);
        QString error;
        if (ok && !createSuite(name.trimmed(), &error)) {
            m_summary->setText(error);
        }
    });
    connect(m_cancelButton, &QPushButton::clicked, this, &TestsPanel::cancelRun);
    connect(m_coverage, &QCheckBox::toggled, this, &TestsPanel::setCoverageShown);
    m_cases->setToolTip(tr("Double-click a test to play it in the conversation"));
    connect(m_cases, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem* item) {
        Q_EMIT openCaseRequested(m_cases->indexOfTopLevelItem(item));
    });
    connect(m_cases, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
        showCase(item ? m_cases->indexOfTopLevelItem(item) : -1);
    });
    connect(&m_watcher, &QFutureWatcherBase::finished, this, [this] {
        m_result = m_watcher.result();
        setBusy(false);
        showResult();
        Q_EMIT coverageChanged();
        Q_EMIT runFinished();
    });
    showSuite();
}

TestsPanel::~TestsPanel() {
    cancelRun();
    m_watcher.waitForFinished();
}

void TestsPanel::setFlow(const QString& flowPath, const QString& flowId) {
    m_flowPath = flowPath;
    m_flowId = flowId;
    const QString base = QFileInfo(flowPath).completeBaseName();
    QStringList suites;
    if (!flowPath.isEmpty()) {
        // FLOW.suite.json first, then FLOW.<name>.suite.json in name order.
        const QDir dir = QFileInfo(flowPath).dir();
        suites << dir.filePath(base + QStringLiteral(".suite.json"));
        for (const QString& name :
             dir.entryList({base + QStringLiteral(".*.suite.json")}, QDir::Files, QDir::Name)) {
            suites << dir.filePath(name);
        }
    }
    const QSignalBlocker blocker(m_suiteBox);
    m_suiteBox->clear();
    for (const QString& path : suites) {
        m_suiteBox->addItem(QFileInfo(path).fileName(), path);
    }
    m_suiteBox->setEnabled(!suites.isEmpty());
    m_newSuite->setEnabled(!flowPath.isEmpty());
    loadSuite(suites.value(0));
}

void TestsPanel::loadSuite(const QString& path) {
    cancelRun();
    m_watcher.waitForFinished();
    m_suite = {};
    m_suite.flowId = m_flowId.toStdString();
    m_result.reset();
    m_suitePath = path;
    m_summary->clear();
    if (!m_suitePath.isEmpty() && QFileInfo::exists(m_suitePath)) {
        engine::TestSuite loaded;
        const auto problems = engine::loadTestSuiteFile(m_suitePath.toStdString(), loaded);
        if (problems.empty()) {
            m_suite = std::move(loaded);
        } else {
            m_summary->setText(tr("%1 has problems: %2 (%3)")
                                   .arg(QFileInfo(m_suitePath).fileName(),
                                        QString::fromStdString(problems.front().message),
                                        QString::fromStdString(problems.front().pointer)));
        }
    }
    showSuite();
    Q_EMIT coverageChanged();
}

bool TestsPanel::writeSuite(const engine::TestSuite& suite, const QString& path, QString* error) {
    QSaveFile file(path);
    const std::string text = engine::serializeTestSuite(suite);
    if (!file.open(QIODevice::WriteOnly) ||
        file.write(text.data(), qint64(text.size())) != qint64(text.size()) || !file.commit()) {
        *error = tr("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

bool TestsPanel::createSuite(const QString& name, QString* error) {
    static const QRegularExpression valid(QStringLiteral("^[A-Za-z0-9_-]{1,64}$"));
    if (m_flowPath.isEmpty()) {
        *error = tr("Save the flow first: its suites are kept beside it");
        return false;
    }
    if (!valid.match(name).hasMatch()) {
        *error = tr("A suite name is 1-64 letters, digits, '-' or '_' (got '%1')").arg(name);
        return false;
    }
    const QFileInfo flow(m_flowPath);
    const QString path =
        flow.dir().filePath(QStringLiteral("%1.%2.suite.json").arg(flow.completeBaseName(), name));
    if (QFileInfo::exists(path)) {
        *error = tr("%1 already exists").arg(QFileInfo(path).fileName());
        return false;
    }
    engine::TestSuite suite;
    suite.flowId = m_flowId.toStdString();
    if (!writeSuite(suite, path, error)) {
        return false;
    }
    const QSignalBlocker blocker(m_suiteBox);
    m_suiteBox->addItem(QFileInfo(path).fileName(), path);
    m_suiteBox->setCurrentIndex(m_suiteBox->count() - 1);
    loadSuite(path);
    return true;
}

bool TestsPanel::addCase(engine::TestCase testCase, QString* error) {
    if (m_suitePath.isEmpty()) {
        *error = tr("Save the flow first: its tests are kept beside it in FLOW.suite.json");
        return false;
    }
    engine::TestSuite updated = m_suite;
    updated.cases.push_back(std::move(testCase));
    if (!writeSuite(updated, m_suitePath, error)) {
        return false;
    }
    m_suite = std::move(updated);
    showSuite();
    return true;
}

void TestsPanel::requestSaveConversation() {
    bool ok = false;
    const QString name = QInputDialog::getText(
        this, tr("Save Conversation as Test"), tr("Test name:"), QLineEdit::Normal,
        tr("conversation %1").arg(m_suite.cases.size() + 1), &ok);
    if (ok && !name.trimmed().isEmpty()) {
        Q_EMIT saveConversationRequested(name.trimmed());
    }
}

void TestsPanel::runSuite() {
    if (isRunning() || !m_flowProvider || m_suite.cases.empty()) {
        return;
    }
    m_cancel = std::make_shared<std::atomic<bool>>(false);
    m_progress->setRange(0, int(m_suite.cases.size()));
    m_progress->setValue(0);
    setBusy(true);
    QPointer<TestsPanel> self(this);
    m_watcher.setFuture(
        QtConcurrent::run([flow = m_flowProvider(), suite = m_suite, cancel = m_cancel, self] {
            engine::SuiteRunOptions options;
            options.cancel = cancel.get();
            options.progress = [self](size_t done, size_t) {
                QMetaObject::invokeMethod(
                    self, [self, done] { self->m_progress->setValue(int(done)); },
                    Qt::QueuedConnection);
            };
            return engine::runTestSuite(flow, suite, options);
        }));
}

void TestsPanel::cancelRun() {
    if (m_cancel) {
        m_cancel->store(true);
    }
}

bool TestsPanel::waitForRun(int timeoutMs) {
    const QDeadlineTimer deadline(timeoutMs);
    while (isRunning() && !deadline.hasExpired()) {
        QEventLoop loop;
        connect(this, &TestsPanel::runFinished, &loop, &QEventLoop::quit);
        QTimer::singleShot(50, &loop, &QEventLoop::quit);
        loop.exec();
    }
    QCoreApplication::processEvents();
    return !isRunning();
}

void TestsPanel::setCoverageShown(bool shown) {
    if (m_coverageShown == shown) {
        return;
    }
    m_coverageShown = shown;
    m_coverage->setChecked(shown);
    Q_EMIT coverageChanged();
}

void TestsPanel::setBusy(bool busy) {
    m_run->setEnabled(!busy && !m_suite.cases.empty());
    m_progress->setVisible(busy);
    m_cancelButton->setVisible(busy);
}

void TestsPanel::showSuite() {
    // The suite's file name is in the box beside it; an unsaved flow has none.
    const size_t count = m_suite.cases.size();
    m_title->setText(m_suitePath.isEmpty()
                         ? tr("(unsaved flow: save it to keep tests)")
                         : (count == 1 ? tr("1 test") : tr("%1 tests").arg(count)));
    m_cases->clear();
    for (const auto& testCase : m_suite.cases) {
        auto* item =
            new QTreeWidgetItem(m_cases, {QString::fromStdString(testCase.name),
                                          QString::number(testCase.turns.size()), tr("not run")});
        item->setForeground(2, palette().color(QPalette::PlaceholderText));
    }
    if (m_suite.cases.empty()) {
        m_details->setHtml(
            tr("<p>No tests yet.</p><p>Chat with the flow, then <b>Save Conversation as "
               "Test</b> (Ctrl+Alt+T): the inputs, stubs and the states and replies you saw "
               "become a test case.</p>"));
    } else {
        m_details->clear();
    }
    if (!m_result) {
        m_summary->setText(
            m_suite.cases.empty() ? QString() : tr("Run the suite to see results and coverage."));
    }
    setBusy(isRunning());
}

void TestsPanel::showResult() {
    const engine::SuiteResult& result = *m_result;
    for (size_t i = 0; i < result.cases.size() && int(i) < m_cases->topLevelItemCount(); ++i) {
        QTreeWidgetItem* item = m_cases->topLevelItem(int(i));
        const bool passed = result.cases[i].passed;
        item->setText(2, passed ? tr("pass") : tr("FAIL"));
        item->setForeground(2, passed ? QColor(0x05, 0x96, 0x69) : graph_style::errorColor());
    }
    const engine::Coverage& coverage = result.coverage;
    m_summary->setText(
        tr("%1 passed · %2 failed%3 · states %4/%5 · transitions %6/%7 · %8 ms engine time")
            .arg(result.passed)
            .arg(result.failed)
            .arg(result.cancelled ? tr(" · cancelled") : QString())
            .arg(coverage.states.size())
            .arg(coverage.totalStates)
            .arg(coverage.transitions.size())
            .arg(coverage.totalTransitions)
            .arg(double(result.engineUs) / 1000.0, 0, 'f', 1));
    // The first failure, else the first case: the details pane is never blank after a run.
    int show = result.cases.empty() ? -1 : 0;
    for (size_t i = 0; i < result.cases.size(); ++i) {
        if (!result.cases[i].passed) {
            show = int(i);
            break;
        }
    }
    m_cases->setCurrentItem(show < 0 ? nullptr : m_cases->topLevelItem(show));
    showCase(show);
}

void TestsPanel::showCase(int index) {
    if (!m_result || index < 0 || size_t(index) >= m_result->cases.size()) {
        return;
    }
    const engine::CaseResult& result = m_result->cases[size_t(index)];
    QString text = QStringLiteral("<p><b>%1</b> — %2</p>")
                       .arg(html(result.name), result.passed ? tr("passed") : tr("failed"));
    for (const auto& failure : result.failures) {
        text += tr("<p>turn %1 · <b>%2</b><br>expected: <code>%3</code><br>actual: "
                   "<code style='color:%4'>%5</code></p>")
                    .arg(failure.turn)
                    .arg(html(failure.field), html(failure.expected),
                         graph_style::errorColor().name(), html(failure.actual));
    }
    text += QStringLiteral("<table cellpadding='3'><tr><th align='left'>%1</th><th "
                           "align='left'>%2</th><th align='left'>%3</th></tr>")
                .arg(tr("Turn"), tr("Expected path"), tr("Actual path"));
    const size_t turns = std::max(result.expectedPaths.size(), result.actualPaths.size());
    for (size_t t = 0; t < turns; ++t) {
        const auto expected =
            t < result.expectedPaths.size() ? result.expectedPaths[t] : std::vector<std::string>{};
        const auto actual =
            t < result.actualPaths.size() ? result.actualPaths[t] : std::vector<std::string>{};
        const bool differs = !expected.empty() && expected != actual;
        text +=
            QStringLiteral("<tr><td>%1</td><td>%2</td><td%3>%4</td></tr>")
                .arg(t)
                .arg(joinPath(expected).toHtmlEscaped(),
                     differs
                         ? QStringLiteral(" style='color:%1'").arg(graph_style::errorColor().name())
                         : QString(),
                     joinPath(actual).toHtmlEscaped());
    }
    text += QStringLiteral("</table>");
    m_details->setHtml(text);
}

} // namespace flowdeck::console
