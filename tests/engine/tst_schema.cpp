// resources/schema/flow.schema.json must accept exactly the documents the parser accepts
// structurally: editors and CI validate flows with the schema, flowd with the parser, and a
// document one accepts and the other refuses is a bug in one of them. Validation runs Debian's
// python3-jsonschema (installed by packaging/install-deps.sh) over files written here.

#include "flowdeck/engine/flow_json.h"

#include <QtTest>

#include <fstream>

using namespace flowdeck::engine;

class tst_Schema : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void acceptsExactlyTheDocumentsTheParserAccepts();
    void agreesWithTheParserOnEveryMutationOfAFullFlow();
    void listsTheSameConfigKeysAsTheModel();
};

// moc misreads the raw string literals below; it only needs the class above.
#ifndef Q_MOC_RUN

namespace {

const QString kSchema = QStringLiteral(RESOURCES_DIR "/schema/flow.schema.json");
const QString kFlows = QStringLiteral(TEST_DATA_DIR "/flows");

// Duplicate keys and NaN are refused while loading: JSON Schema cannot see either, and Python's
// json module would otherwise accept both silently.
const char* const kValidator = R"PY(
import json, sys
import jsonschema

def pairs(items):
    keys = [k for k, _ in items]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate key")
    return dict(items)

def constant(name):
    raise ValueError(name)

with open(sys.argv[1], encoding="utf-8") as f:
    schema = json.load(f)
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
for path in sys.stdin.read().splitlines():
    try:
        with open(path, encoding="utf-8") as f:
            document = json.load(f, object_pairs_hook=pairs, parse_constant=constant)
        ok = validator.is_valid(document)
    except (ValueError, UnicodeDecodeError):
        ok = False
    print(("accept" if ok else "reject") + "\t" + path)
)PY";

Json readJson(const QString& path) {
    std::ifstream in(path.toStdString());
    return Json::parse(in);
}

// path -> whether the schema accepts it; empty with `error` set when python3 failed.
QMap<QString, bool> schemaVerdicts(const QStringList& files, QString& error) {
    QProcess python;
    python.start("/usr/bin/python3", {"-c", kValidator, kSchema});
    python.write((files.join('\n') + '\n').toUtf8());
    python.closeWriteChannel();
    QMap<QString, bool> verdicts;
    if (!python.waitForFinished(120000) || python.exitCode() != 0) {
        error = "python3 with jsonschema failed (is python3-jsonschema installed?): " +
                QString::fromUtf8(python.readAllStandardError());
        return verdicts;
    }
    for (const auto& line : QString::fromUtf8(python.readAllStandardOutput()).split('\n')) {
        if (line.contains('\t')) {
            verdicts.insert(line.section('\t', 1), line.section('\t', 0, 0) == "accept");
        }
    }
    return verdicts;
}

void expectAgreement(const QStringList& files, const QMap<QString, QString>& labels = {}) {
    QString error;
    const auto verdicts = schemaVerdicts(files, error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(verdicts.size(), files.size());
    QStringList disagreements;
    int accepted = 0;
    for (const auto& file : files) {
        const auto result = parseFlowFile(file.toStdString());
        accepted += result.ok() ? 1 : 0;
        if (result.ok() != verdicts.value(file)) {
            disagreements << QString("%1 (%2): parser %3, schema %4")
                                 .arg(file, labels.value(file), result.ok() ? "accepts" : "rejects",
                                      verdicts.value(file) ? "accepts" : "rejects");
        }
    }
    QVERIFY2(disagreements.isEmpty(), qPrintable(disagreements.join('\n')));
    // Both outcomes must occur, or agreement proves nothing.
    QVERIFY(accepted > 0 && accepted < files.size());
}

void collectPointers(const Json& value, const Json::json_pointer& at,
                     std::vector<Json::json_pointer>& out) {
    out.push_back(at);
    if (value.is_object()) {
        for (const auto& [key, child] : value.items()) {
            collectPointers(child, at / key, out);
        }
    } else if (value.is_array()) {
        for (size_t i = 0; i < value.size(); ++i) {
            collectPointers(value[i], at / i, out);
        }
    }
}

} // namespace

void tst_Schema::acceptsExactlyTheDocumentsTheParserAccepts() {
    QStringList files;
    for (const auto& name : QDir(kFlows).entryList({"*.json"}, QDir::Files, QDir::Name)) {
        files << kFlows + '/' + name;
    }
    const QDir resources(RESOURCES_DIR "/flows");
    for (const auto& name : resources.entryList({"*.json"}, QDir::Files, QDir::Name)) {
        files << resources.filePath(name);
    }
    QVERIFY(files.size() > 20);
    expectAgreement(files);
}

void tst_Schema::agreesWithTheParserOnEveryMutationOfAFullFlow() {
    // Every value of a flow that uses every state type and config key, replaced by values of
    // other types or removed: each variant is a document the two must judge alike.
    const Json original = readJson(kFlows + "/valid_all_types.json");
    std::vector<Json::json_pointer> pointers;
    collectPointers(original, Json::json_pointer(), pointers);
    const std::vector<Json> replacements{"x",
                                         7,
                                         1.5,
                                         4294967296LL,
                                         true,
                                         nullptr,
                                         Json::array(),
                                         Json::object(),
                                         Json::array({"x"}),
                                         Json::object({{"k", "v"}})};
    QTemporaryDir dir;
    QStringList files;
    QMap<QString, QString> labels;
    auto write = [&](const Json& document, const QString& label) {
        const QString path = dir.filePath(QString("m%1.json").arg(files.size()));
        std::ofstream(path.toStdString()) << document.dump();
        files << path;
        labels.insert(path, label);
    };
    for (size_t i = 1; i < pointers.size(); ++i) {
        const auto& at = pointers[i];
        const QString where = QString::fromStdString(at.to_string());
        for (const auto& replacement : replacements) {
            if (replacement.type() != original.at(at).type()) {
                Json mutated = original;
                mutated.at(at) = replacement;
                write(mutated, where + " = " + QString::fromStdString(replacement.dump()));
            }
        }
        Json removed = original;
        auto& parent = removed.at(at.parent_pointer());
        if (parent.is_object()) {
            parent.erase(at.back());
        } else {
            parent.erase(static_cast<size_t>(std::stoul(at.back())));
        }
        write(removed, where + " removed");
    }
    QVERIFY(files.size() > 500);
    expectAgreement(files, labels);
}

void tst_Schema::listsTheSameConfigKeysAsTheModel() {
    const Json schema = readJson(kSchema);
    const auto kindOf = [](const Json& fragment) -> std::optional<ConfigValueKind> {
        const std::map<std::string, ConfigValueKind> kinds{
            {R"({"type":"string"})", ConfigValueKind::String},
            {R"({"$ref":"#/$defs/int"})", ConfigValueKind::Integer},
            {R"({"type":"number"})", ConfigValueKind::Number},
            {R"({"type":"boolean"})", ConfigValueKind::Boolean},
            {R"({"$ref":"#/$defs/string_map"})", ConfigValueKind::StringMap},
            {R"({"$ref":"#/$defs/string_list_map"})", ConfigValueKind::StringListMap},
            {R"({"$ref":"#/$defs/slot_list"})", ConfigValueKind::SlotList},
            {R"({"type":["string","object"]})", ConfigValueKind::StringOrObject}};
        const auto it = kinds.find(fragment.dump());
        return it == kinds.end() ? std::nullopt : std::optional(it->second);
    };
    const Json& types = schema.at("$defs").at("state").at("properties").at("type").at("enum");
    QCOMPARE(types.size(), size_t(8));
    for (const auto& typeName : types) {
        const auto type = stateTypeFromString(typeName.get<std::string>());
        QVERIFY(type.has_value());
        const Json& properties =
            schema.at("$defs").at("config_" + typeName.get<std::string>()).at("properties");
        const auto& known = knownConfigKeys(*type);
        QCOMPARE(properties.size(), known.size());
        size_t i = 0;
        for (const auto& [key, fragment] : properties.items()) {
            QCOMPARE(key, std::string(known[i].name));
            QVERIFY2(kindOf(fragment) == known[i].kind, key.c_str());
            ++i;
        }
    }
}

#endif // Q_MOC_RUN

QTEST_GUILESS_MAIN(tst_Schema)
#include "tst_schema.moc"
